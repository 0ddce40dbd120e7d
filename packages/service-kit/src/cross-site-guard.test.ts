import express, { type Express } from 'express';
import pino from 'pino';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { crossSiteGuard, type CrossSiteGuardOptions } from './cross-site-guard';
import { COMMON_HTTP_ERRORS, createErrorHandler } from './problem-details';

const HOST = 'veto.test';
const OWN = `http://${HOST}`;

function appWith(options: Partial<CrossSiteGuardOptions> = {}, trustProxy = 0): Express {
  const app = express();
  app.set('trust proxy', trustProxy);
  app.use(crossSiteGuard({ allowedOrigins: [], sessionCookies: ['veto_access', 'veto_refresh'], ...options }));
  app.all('/action', (_req, res) => {
    res.status(200).json({ done: true });
  });
  app.use(createErrorHandler({ logger: pino({ level: 'silent' }), errors: COMMON_HTTP_ERRORS }));
  return app;
}

describe('crossSiteGuard', () => {
  const app = appWith();

  it.each(['https://evil.example', 'null', 'http://veto.test.evil.example', 'https://veto.test', 'http://veto.test:8080', 'not a url'])(
    'refuses an unsafe request with Origin %s: 403 CROSS_SITE_REQUEST',
    async (origin) => {
      expectProblem(await request(app).post('/action').set('Host', HOST).set('Origin', origin), 403, 'CROSS_SITE_REQUEST');
    },
  );

  it.each(['PUT', 'PATCH', 'DELETE'])('guards %s like POST', async (method) => {
    const res = await request(app)[method.toLowerCase() as 'put']('/action').set('Host', HOST).set('Origin', 'https://evil.example');
    expectProblem(res, 403, 'CROSS_SITE_REQUEST');
  });

  it.each(['GET', 'HEAD', 'OPTIONS'])('lets a safe %s through whatever its Origin and cookies', async (method) => {
    const res = await request(app)[method.toLowerCase() as 'get']('/action').set('Host', HOST).set('Origin', 'https://evil.example').set('Cookie', 'veto_access=t');
    expect(res.status).toBe(200);
  });

  it("accepts the request's own origin, whatever the case and default port of its Host", async () => {
    await request(app).post('/action').set('Host', HOST).set('Origin', OWN).expect(200);
    await request(app).post('/action').set('Host', 'VETO.test:80').set('Origin', OWN).expect(200);
  });

  it('reads the own origin from X-Forwarded-Proto and -Host behind a trusted proxy, and ignores them otherwise', async () => {
    const forwarded = { Host: 'auth:3001', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'veto.example.com' };
    await request(appWith({}, 1)).post('/action').set(forwarded).set('Origin', 'https://veto.example.com').expect(200);
    expectProblem(await request(app).post('/action').set(forwarded).set('Origin', 'https://veto.example.com'), 403, 'CROSS_SITE_REQUEST');
  });

  it('accepts a configured other origin, and refuses a misconfigured one at construction', async () => {
    await request(appWith({ allowedOrigins: ['https://console.example.com'] }))
      .post('/action')
      .set('Host', HOST)
      .set('Origin', 'https://console.example.com')
      .expect(200);
    expect(() => crossSiteGuard({ allowedOrigins: ['https://console.example.com/'], sessionCookies: [] })).toThrow(TypeError);
    expect(() => crossSiteGuard({ allowedOrigins: ['null'], sessionCookies: [] })).toThrow(TypeError);
  });

  it.each(['cross-site', 'same-site'])('refuses Sec-Fetch-Site: %s without an Origin', async (site) => {
    expectProblem(await request(app).post('/action').set('Host', HOST).set('Sec-Fetch-Site', site), 403, 'CROSS_SITE_REQUEST');
  });

  it.each(['same-origin', 'none'])('accepts Sec-Fetch-Site: %s without an Origin', async (site) => {
    await request(app).post('/action').set('Host', HOST).set('Sec-Fetch-Site', site).expect(200);
  });

  it.each([
    ['no Content-Type', undefined],
    ['a form', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['a JSON-like suffix type', 'application/merge-patch+json'],
  ])('refuses a request with a session cookie and %s, even without a body: 415 UNSUPPORTED_MEDIA_TYPE', async (_name, type) => {
    const call = request(app).post('/action').set('Host', HOST).set('Origin', OWN).set('Cookie', 'theme=dark; veto_refresh=r');
    expectProblem(await (type === undefined ? call : call.set('Content-Type', type)), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('accepts a session cookie with Content-Type: application/json (any parameters), without an Origin as curl sends it', async () => {
    await request(app).post('/action').set('Host', HOST).set('Cookie', 'veto_access=t').set('Content-Type', 'Application/JSON; charset=utf-8').expect(200);
  });

  it('lets requests without a session cookie through without a content type', async () => {
    await request(app).post('/action').set('Host', HOST).set('Cookie', 'theme=dark; my_veto_access=x').expect(200);
  });

  it('guards a request whose Authorization is not Bearer (the cookie would authenticate it)', async () => {
    const basic = () => request(app).post('/action').set('Host', HOST).set('Authorization', 'Basic dTpw').set('Cookie', 'veto_access=t');
    await basic().set('Origin', 'https://evil.example').type('json').send({}).expect(403);
    await basic().expect(415);
  });

  it('never touches a request with a bearer token', async () => {
    await request(app)
      .post('/action')
      .set('Host', HOST)
      .set('Authorization', 'Bearer t')
      .set('Origin', 'https://evil.example')
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Cookie', 'veto_access=t')
      .expect(200);
  });
});
