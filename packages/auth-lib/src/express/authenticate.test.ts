import express from 'express';
import request from 'supertest';
import { authProblem } from '../auth-problem';
import { TOKEN_ERROR_CODES, TokenError } from '../errors';
import { RevocationCache } from '../revocation-cache';
import { TEST_AUDIENCE, TEST_ISSUER, createTestKeyPair, signTestToken, testJwks } from '../testing';
import { createVerifier } from '../verifier';
import { authErrorHandler } from './auth-error-handler';
import { authenticate, requireAuth, requireRole } from './authenticate';

function buildApp(feed?: { isReady: boolean }, requireReady?: boolean) {
  const revocations = new RevocationCache({ accessTokenTtlSeconds: 900 });
  const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), revocations });
  const app = express();
  app.use(authenticate(verifier, { feed, requireReady }));
  app.get('/public', (req, res) => {
    res.json({ user: req.auth?.sub ?? null });
  });
  app.get('/me', requireAuth(), (req, res) => {
    res.json({ sub: req.auth?.sub, role: req.auth?.role });
  });
  app.get('/admin', requireRole('admin'), (_req, res) => {
    res.json({ ok: true });
  });
  app.use(authErrorHandler());
  return { app, revocations };
}

describe('express middleware over HTTP', () => {
  it('puts the claims of a Bearer token on req.auth', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${signTestToken({ sub: 'u1' })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sub: 'u1', role: 'user' });
  });

  it('reads the access cookie when there is no Bearer token', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .get('/me')
      .set('Cookie', `other=1; veto_access=${signTestToken({ sub: 'u2' })}`);
    expect(res.body.sub).toBe('u2');
  });

  it('prefers the Bearer token over the cookie', async () => {
    const { app } = buildApp();
    const res = await request(app)
      .get('/me')
      .set('Authorization', `Bearer ${signTestToken({ sub: 'bearer' })}`)
      .set('Cookie', `veto_access=${signTestToken({ sub: 'cookie' })}`);
    expect(res.body.sub).toBe('bearer');
  });

  it('answers 401 TOKEN_MISSING with a bare Bearer challenge', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/me');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.text)).toEqual({
      type: 'urn:veto:error:token_missing',
      title: 'Authentication required',
      status: 401,
      detail: expect.any(String),
      code: 'TOKEN_MISSING',
    });
  });

  it('lets a request without a token through where no auth is required', async () => {
    const { app } = buildApp();
    expect((await request(app).get('/public')).body).toEqual({ user: null });
  });

  it('answers 401 invalid_token for a forged token', async () => {
    const { app } = buildApp();
    const forged = signTestToken({}, { keyPair: createTestKeyPair('veto-test-key') });
    const res = await request(app).get('/public').set('Authorization', `Bearer ${forged}`);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(JSON.parse(res.text).code).toBe('TOKEN_INVALID_SIGNATURE');
  });

  it('rejects a token issued before the ban with 401 TOKEN_REVOKED', async () => {
    const { app, revocations } = buildApp();
    const token = signTestToken({ sub: 'u1' });
    revocations.revokeUser('u1', Date.now());
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.text).code).toBe('TOKEN_REVOKED');
  });

  it('answers 401 TOKEN_MALFORMED for empty Bearer credentials', async () => {
    const { app } = buildApp();
    const res = await request(app).get('/me').set('Authorization', 'Bearer ');
    expect(JSON.parse(res.text).code).toBe('TOKEN_MALFORMED');
  });

  it('answers 403 FORBIDDEN_ROLE for a missing role and admits the role', async () => {
    const { app } = buildApp();
    const denied = await request(app)
      .get('/admin')
      .set('Authorization', `Bearer ${signTestToken({ role: 'user' })}`);
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text).code).toBe('FORBIDDEN_ROLE');
    const admitted = await request(app)
      .get('/admin')
      .set('Authorization', `Bearer ${signTestToken({ role: 'admin' })}`);
    expect(admitted.status).toBe(200);
  });

  it('answers 503 REVOCATION_NOT_READY until the feed caught up', async () => {
    const feed = { isReady: false };
    const { app } = buildApp(feed);
    const token = signTestToken();
    const res = await request(app).get('/me').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.text).code).toBe('REVOCATION_NOT_READY');
    expect((await request(app).get('/me').set('Authorization', 'Bearer garbage')).status).toBe(401);
    feed.isReady = true;
    expect((await request(app).get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('serves before the feed caught up when requireReady is false', async () => {
    const { app } = buildApp({ isReady: false }, false);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${signTestToken()}`)).status).toBe(200);
  });

  it('passes errors that are not TokenErrors on', async () => {
    const app = express();
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.use(authErrorHandler());
    app.use((_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ handledBy: 'service' });
    });
    expect((await request(app).get('/boom')).body).toEqual({ handledBy: 'service' });
  });
});

describe('authProblem', () => {
  it.each(TOKEN_ERROR_CODES)('maps %s to a problem', (code) => {
    const problem = authProblem(new TokenError(code, 'x'));
    expect(problem?.body.code).toBe(code);
    expect([401, 403, 503]).toContain(problem?.status);
  });

  it('returns undefined for other errors', () => {
    expect(authProblem(new Error('x'))).toBeUndefined();
  });
});
