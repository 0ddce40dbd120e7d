import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createAdminConsoleRoutes } from './admin-console-routes';
import { createErrorHandler } from './problem-details';

const CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'veto-console-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The console routes at `/admin` in front of the service's own 404 and error handler, over `assetsDir`. */
function consoleApp(assetsDir: string): express.Express {
  const app = express();
  app.use('/admin', createAdminConsoleRoutes({ assetsDir }));
  app.use((_req, res) => {
    res.status(404).type('application/problem+json').send('{"code":"NOT_FOUND"}');
  });
  app.use(createErrorHandler(pino({ level: 'silent' })));
  return app;
}

function builtConsole(): string {
  const dir = join(root, `built-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Veto admin</title><script type="module" src="main.js"></script>');
  writeFileSync(join(dir, 'main.js'), 'export {};\n');
  writeFileSync(join(dir, 'console.css'), 'body { margin: 0; }\n');
  return dir;
}

describe('the admin console at /admin', () => {
  it('serves the page with a strict content security policy, never cached', async () => {
    const res = await request(consoleApp(builtConsole())).get('/admin/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>Veto admin</title>');
    expect(res.headers['content-security-policy']).toBe(CSP);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('redirects /admin to /admin/ so the page’s relative module URLs resolve under it, keeping the query', async () => {
    const app = consoleApp(builtConsole());
    expect((await request(app).get('/admin').expect(308)).headers.location).toBe('/admin/');
    expect((await request(app).get('/admin?x=1').expect(308)).headers.location).toBe('/admin/?x=1');
  });

  it('serves the modules as JavaScript and the stylesheet as CSS, revalidated and under the same policy', async () => {
    const app = consoleApp(builtConsole());
    const script = await request(app).get('/admin/main.js').expect(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['cache-control']).toBe('no-cache');
    expect(script.headers['content-security-policy']).toBe(CSP);
    expect(script.headers['x-content-type-options']).toBe('nosniff');
    const style = await request(app).get('/admin/console.css').expect(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
  });

  it('leaves a file the console does not have to the service’s 404', async () => {
    const res = await request(consoleApp(builtConsole())).get('/admin/missing.js').expect(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('answers 503 CONSOLE_NOT_BUILT saying to run pnpm build until the package is built, then serves it without a restart', async () => {
    const dir = join(root, 'not-built');
    const app = consoleApp(dir);
    for (const path of ['/admin/', '/admin', '/admin/main.js']) {
      const res = await request(app).get(path).expect(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 503, code: 'CONSOLE_NOT_BUILT', type: 'urn:veto:error:console_not_built' });
      expect(res.body.detail).toContain('pnpm build');
    }
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Veto admin</title>');
    await request(app).get('/admin/').expect(200);
  });
});
