import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_CONSOLE_ASSETS_DIR, ADMIN_CONSOLE_INDEX } from '@veto/admin-console';
import { problemBody } from '@veto/service-kit';
import express, { Router, type Response } from 'express';
import { AuthError } from '../../errors';
import { HTTP_ERRORS } from './problem-details';

// The console loads only its own files and calls only this origin: no inline script or style,
// no framing, no <base>, forms submit nowhere else.
const SECURITY_HEADERS = Object.freeze({
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
});

/**
 * Routes under `/admin`: the admin console's static files from `@veto/admin-console`, with a
 * strict Content-Security-Policy. `index.html` is never cached (it names the modules); the
 * modules and the stylesheet are revalidated on every load (their names carry no hash).
 * `/admin` redirects to `/admin/`, so the page's relative URLs resolve under it. Until the
 * package is built every console path answers 503 `CONSOLE_NOT_BUILT`. The console itself
 * signs in and calls the API like any browser client; these routes need no authentication.
 *
 * @param options - `assetsDir`, the built console (the package's by default)
 * @returns the router
 * @example
 * app.use('/admin', createAdminConsoleRoutes());
 */
export function createAdminConsoleRoutes(options: { assetsDir: string } = { assetsDir: ADMIN_CONSOLE_ASSETS_DIR }): Router {
  const router = Router();
  const index = join(options.assetsDir, ADMIN_CONSOLE_INDEX);

  router.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    // Checked per request, so building the console needs no restart. Answered here rather than
    // by the error middleware, which turns every 5xx into a 500 INTERNAL without detail: this
    // one is an operator's mistake with a known remedy, and the detail names it.
    if (!existsSync(index)) {
      const error = new AuthError('CONSOLE_NOT_BUILT', 'The admin console is not built: run `pnpm build` (or `pnpm --filter @veto/admin-console build`)');
      const spec = HTTP_ERRORS.CONSOLE_NOT_BUILT;
      res
        .status(spec.status)
        .type('application/problem+json')
        .send(JSON.stringify({ ...problemBody(error, spec), detail: error.message }));
      return;
    }
    next();
  });

  router.get('/', (req, res) => {
    const [path = '', query] = req.originalUrl.split('?');
    if (!path.endsWith('/')) {
      res.redirect(308, `${path}/${query === undefined ? '' : `?${query}`}`);
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.sendFile(index);
  });

  router.use(
    express.static(options.assetsDir, {
      index: false,
      redirect: false,
      setHeaders: (res: Response) => {
        res.set('Cache-Control', 'no-cache');
      },
    }),
  );

  return router;
}
