import { createVerifier, isTokenError, RevocationCache } from '@veto/auth-lib';
import { createTestKeyPair, signTestToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks, type JwksServer } from '@veto/auth-lib/testing';
import express from 'express';
import request from 'supertest';
import { gateProblem } from './gate-problem';
import { jwksRsaGate } from './jwks-rsa-gate';

let jwks: JwksServer;
let app: express.Express;

beforeAll(async () => {
  jwks = await startJwksServer(testJwks());
  app = express()
    .use(jwksRsaGate({ jwksUri: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE }))
    .get('/read', (req, res) => void res.json({ sub: (req as express.Request & { auth?: { sub: string } }).auth?.sub }))
    .use(gateProblem);
});
afterAll(() => jwks.close());

it('accepts a valid ES256 token with the key fetched from the JWKS endpoint', async () => {
  await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-ok' })}`)
    .expect(200, { sub: 'u-ok' });
});

it('refuses with 401 INVALID_TOKEN a bad signature, a wrong audience and a wrong issuer', async () => {
  const tokens = [
    signTestToken({ sub: 'u-ok' }, { keyPair: createTestKeyPair(TEST_KEY_PAIR.kid) }),
    signTestToken({ sub: 'u-ok', aud: 'another-service' }),
    signTestToken({ sub: 'u-ok', iss: 'another-issuer' }),
  ];
  for (const token of tokens) {
    const response = await request(app).get('/read').set('authorization', `Bearer ${token}`);
    expect(response.body).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
  }
});

it('accepts the token of a banned user, which Veto refuses: it has no revocation', async () => {
  const token = signTestToken({ sub: 'u-banned' }, { now: Date.now() - 1_000 });
  const revocations = new RevocationCache({ accessTokenTtlSeconds: 900, clockSkewSeconds: 30 });
  revocations.revokeUser('u-banned', Date.now());
  const veto = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), clockSkewSeconds: 30, accessTokenTtlSeconds: 900, revocations });
  let vetoCode: string | undefined;
  try {
    veto.verify(token);
  } catch (error) {
    vetoCode = isTokenError(error) ? error.code : String(error);
  }
  expect(vetoCode).toBe('TOKEN_REVOKED');
  await request(app).get('/read').set('authorization', `Bearer ${token}`).expect(200, { sub: 'u-banned' });
});

it('keeps accepting tokens with the JWKS endpoint down once the key is cached', async () => {
  await jwks.close();
  await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-ok' })}`)
    .expect(200, { sub: 'u-ok' });
});
