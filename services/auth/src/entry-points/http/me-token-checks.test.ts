import { createHmac, createPublicKey, randomUUID } from 'node:crypto';
import { toLowS } from '@veto/auth-lib';
import { eq } from 'drizzle-orm';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { users } from '../../data-access/schema';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';

// Every way an access token can fail at /api/users/me, one by one, by code: the token codes
// come from @veto/auth-lib's verifier, the session and ban checks from the service's database.
let database: TestDatabase;
let t: TestApp;
let session: { userId: string; accessToken: string; claims: jwt.JwtPayload };

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database);
  const res = await request(t.app).post('/api/users/signup').send({ email: 'ada@example.com', password: 'correct horse battery' }).expect(201);
  session = { userId: res.body.user.id, accessToken: res.body.accessToken, claims: jwt.decode(res.body.accessToken) as jwt.JwtPayload };
});
afterAll(() => database.close());

/** Signs claims with the app's real key (low-S, as the app signs), so only the altered part can make the token fail. */
function signWithAppKey(claims: Record<string, unknown>, header: { kid?: string } = { kid: t.keys.kid }): string {
  return toLowS(jwt.sign(claims, t.keys.privateKey, { algorithm: 'ES256', ...(header.kid === undefined ? {} : { keyid: header.kid }) }));
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

async function me(token: string) {
  return request(t.app).get('/api/users/me').set('Authorization', `Bearer ${token}`);
}

function expectRejected(res: request.Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body.code).toBe(code);
  if (status === 401) {
    expect(res.headers['www-authenticate']).toMatch(/^Bearer (realm="veto", )?error="invalid_token"$/);
  }
}

describe('access-token verification at GET /api/users/me', () => {
  it('accepts the genuine token (the baseline every case below alters once)', async () => {
    expect((await me(session.accessToken)).status).toBe(200);
    expect((await me(signWithAppKey({ ...session.claims }))).status).toBe(200);
  });

  it('rejects a wrong issuer with TOKEN_WRONG_ISSUER', async () => {
    expectRejected(await me(signWithAppKey({ ...session.claims, iss: 'someone-else' })), 401, 'TOKEN_WRONG_ISSUER');
  });

  it('rejects a wrong audience with TOKEN_WRONG_AUDIENCE', async () => {
    expectRejected(await me(signWithAppKey({ ...session.claims, aud: 'another-api' })), 401, 'TOKEN_WRONG_AUDIENCE');
  });

  it('rejects an unsigned alg=none token with TOKEN_WRONG_ALGORITHM', async () => {
    const none = `${base64url({ alg: 'none', typ: 'JWT', kid: t.keys.kid })}.${base64url(session.claims)}.`;
    expectRejected(await me(none), 401, 'TOKEN_WRONG_ALGORITHM');
  });

  it('rejects an HS256 token keyed with the public key (algorithm confusion) with TOKEN_WRONG_ALGORITHM', async () => {
    const publicPem = createPublicKey(t.keys.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: t.keys.kid })}.${base64url(session.claims)}`;
    const mac = createHmac('sha256', publicPem).update(signingInput).digest('base64url');
    expectRejected(await me(`${signingInput}.${mac}`), 401, 'TOKEN_WRONG_ALGORITHM');
  });

  it('rejects a token without kid, and one with an unknown kid, with TOKEN_UNKNOWN_KEY', async () => {
    expectRejected(await me(signWithAppKey({ ...session.claims }, {})), 401, 'TOKEN_UNKNOWN_KEY');
    expectRejected(await me(signWithAppKey({ ...session.claims }, { kid: 'not-a-published-key' })), 401, 'TOKEN_UNKNOWN_KEY');
  });

  it('rejects a correctly signed token without sid with TOKEN_MALFORMED', async () => {
    const { sid: _sid, ...withoutSid } = session.claims;
    expectRejected(await me(signWithAppKey(withoutSid)), 401, 'TOKEN_MALFORMED');
  });

  it('rejects a token that is not yet valid (nbf in the future) with TOKEN_NOT_YET_VALID', async () => {
    expectRejected(await me(signWithAppKey({ ...session.claims, nbf: t.clock() / 1000 + 60 })), 401, 'TOKEN_NOT_YET_VALID');
  });

  it('rejects garbage with TOKEN_MALFORMED, and reads the cookie when the Authorization header is not Bearer', async () => {
    expectRejected(await me('garbage'), 401, 'TOKEN_MALFORMED');
    const basic = await request(t.app).get('/api/users/me').set('Authorization', 'Basic YWRhOnB3').set('Cookie', `veto_access=${session.accessToken}`);
    expect(basic.status).toBe(200);
  });

  it('accepts a token one millisecond before exp and rejects it at exp with TOKEN_EXPIRED', async () => {
    const expMs = Math.round((session.claims.exp ?? 0) * 1000);
    t.clock.set(expMs - 1);
    expect((await me(session.accessToken)).status).toBe(200);
    t.clock.set(expMs);
    expectRejected(await me(session.accessToken), 401, 'TOKEN_EXPIRED');
  });

  it("rejects a token whose sid is another user's session with SESSION_REVOKED", async () => {
    const other = await request(t.app).post('/api/users/signup').send({ email: 'bob@example.com', password: 'correct horse battery' }).expect(201);
    const otherSid = (jwt.decode(other.body.accessToken) as jwt.JwtPayload).sid as string;
    expectRejected(await me(signWithAppKey({ ...session.claims, sid: otherSid })), 401, 'SESSION_REVOKED');
    expectRejected(await me(signWithAppKey({ ...session.claims, sid: randomUUID() })), 401, 'SESSION_REVOKED');
  });

  it('rejects a live token of a user banned since it was issued with 403 USER_BANNED', async () => {
    await database.db
      .update(users)
      .set({ bannedAt: new Date(t.clock()), banReason: 'test' })
      .where(eq(users.id, session.userId));
    expectRejected(await me(session.accessToken), 403, 'USER_BANNED');
  });
});
