import { Router } from 'express';
import { z } from 'zod';
import type { AuthContext } from '../../domain/auth-context';
import { refreshSession } from '../../domain/refresh-session';
import { AuthError } from '../../errors';
import { parseRequest } from '@veto/service-kit';
import { presentedRefreshToken, setSessionCookies, type CookieSettings } from './session-cookies';
import { createSignOutHandler, type SignOutTokenCheck } from './sign-out-handler';
import { sessionBody } from './session-body';

const refreshBody = z.object({ refreshToken: z.string().min(1).max(256).optional() });

/**
 * Routes under `/api/auth`: refresh-token rotation. The token comes from the body
 * (non-browser clients) or else from the refresh cookie. The new refresh token is
 * returned in the body only to a client that sent one in the body: a cookie client
 * gets it as a cookie only, so script on the page can never read it.
 * `DELETE /api/auth/refresh` signs out: it is the one sign-out route a browser sends
 * the refresh cookie to.
 *
 * @param context - the auth context
 * @param options - the sign-out token check and cookie settings
 * @returns the router
 * @example
 * app.use('/api/auth', createAuthRoutes(context, { tokenCheck, cookies }));
 */
export function createAuthRoutes(context: AuthContext, options: { tokenCheck: SignOutTokenCheck; cookies: CookieSettings }): Router {
  const router = Router();

  router.post('/refresh', async (req, res) => {
    const body = parseRequest(refreshBody, req.body);
    const fromBody = body.refreshToken !== undefined;
    const presented = presentedRefreshToken(req, body.refreshToken);
    if (presented === undefined) {
      throw new AuthError('REFRESH_TOKEN_INVALID', 'A refresh token is required (cookie or body)');
    }
    const tokens = await refreshSession(context, presented);
    setSessionCookies(res, tokens, options.cookies);
    res.status(200).json(sessionBody(tokens, { includeRefreshToken: fromBody }));
  });

  router.delete('/refresh', createSignOutHandler(context, options));

  return router;
}
