import request from 'supertest';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { findUserByEmail } from '../../data-access/users-repository';
import { sql } from 'drizzle-orm';

interface ParsedCookie {
  name: string;
  value: string;
  attributes: Map<string, string>;
}

function parseSetCookies(header: string[] | string | undefined): Map<string, ParsedCookie> {
  const lines = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const cookies = new Map<string, ParsedCookie>();
  for (const line of lines) {
    const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes = new Map<string, string>();
    for (const attribute of rest) {
      const at = attribute.indexOf('=');
      attributes.set((at < 0 ? attribute : attribute.slice(0, at)).toLowerCase(), at < 0 ? '' : attribute.slice(at + 1));
    }
    cookies.set(pair.slice(0, eq), { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes });
  }
  return cookies;
}

let database: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database, { SIGNIN_RATE_LIMIT_PER_EMAIL: '3', SIGNIN_RATE_LIMIT_PER_IP: '5', SIGNIN_RATE_LIMIT_WINDOW_SECONDS: '60' });
});
afterAll(async () => {
  await database.close();
});

const credentials = { email: 'Ada@Example.com', password: 'correct horse battery' };

describe('POST /api/users/signup', () => {
  it('creates a user, returns tokens and sets both cookies', async () => {
    const res = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    expect(res.body.user).toEqual({ id: expect.any(String), email: 'ada@example.com', role: 'user' });
    expect(typeof res.body.accessToken).toBe('string');
    // The token's own exp: whole seconds, so the issue second plus the TTL.
    expect(res.body.accessTokenExpiresAt).toBe(new Date(Math.floor(t.clock() / 1000) * 1000 + 900_000).toISOString());
    const stored = await findUserByEmail(database.db, 'ada@example.com');
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored?.passwordHash).not.toContain(credentials.password);
  });

  it('sets an httpOnly Lax access cookie on / and a Strict refresh cookie on the refresh route, both Secure', async () => {
    const res = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const cookies = parseSetCookies(res.headers['set-cookie']);
    const access = cookies.get('veto_access');
    const refresh = cookies.get('veto_refresh');
    expect(access?.value).toBe(res.body.accessToken);
    expect(access?.attributes.get('path')).toBe('/');
    expect(access?.attributes.get('samesite')).toBe('Lax');
    expect(access?.attributes.has('httponly')).toBe(true);
    expect(access?.attributes.has('secure')).toBe(true);
    expect(access?.attributes.get('max-age')).toBe('900');
    expect(refresh?.value).toBe(res.body.refreshToken);
    expect(refresh?.attributes.get('path')).toBe('/api/auth/refresh');
    expect(refresh?.attributes.get('samesite')).toBe('Strict');
    expect(refresh?.attributes.has('httponly')).toBe(true);
    expect(refresh?.attributes.has('secure')).toBe(true);
    expect(refresh?.attributes.get('max-age')).toBe('604800');
  });

  it('drops the Secure flag only in local mode', async () => {
    const local = await createTestApp(database, { VETO_ENV: 'local' });
    const res = await request(local.app).post('/api/users/signup').send(credentials).expect(201);
    const cookies = parseSetCookies(res.headers['set-cookie']);
    expect(cookies.get('veto_access')?.attributes.has('secure')).toBe(false);
    expect(cookies.get('veto_refresh')?.attributes.has('secure')).toBe(false);
  });

  it('rejects a duplicate email in any letter case with 409 EMAIL_TAKEN', async () => {
    await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const res = await request(t.app)
      .post('/api/users/signup')
      .send({ ...credentials, email: 'ADA@example.COM' })
      .expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 409, code: 'EMAIL_TAKEN' });
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password: 'long enough' }, ['email']],
    ['a 7-character password', { email: 'a@example.com', password: '1234567' }, ['password']],
    ['a 129-character password', { email: 'a@example.com', password: 'x'.repeat(129) }, ['password']],
    ['an empty body', {}, ['email', 'password']],
  ])('rejects %s with 400 VALIDATION_FAILED and per-field errors', async (_name, body, fields) => {
    const res = await request(t.app).post('/api/users/signup').send(body).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(fields);
  });

  it('accepts passwords of exactly 8 and 128 characters', async () => {
    await request(t.app).post('/api/users/signup').send({ email: 'a@example.com', password: '12345678' }).expect(201);
    await request(t.app)
      .post('/api/users/signup')
      .send({ email: 'b@example.com', password: 'y'.repeat(128) })
      .expect(201);
  });
});

describe('POST /api/users/signin', () => {
  beforeEach(async () => {
    await request(t.app).post('/api/users/signup').send(credentials).expect(201);
  });

  it('signs in with the right password in any email case', async () => {
    const res = await request(t.app).post('/api/users/signin').send({ email: 'ADA@example.com', password: credentials.password }).expect(200);
    expect(res.body.user.email).toBe('ada@example.com');
    expect(parseSetCookies(res.headers['set-cookie']).has('veto_refresh')).toBe(true);
  });

  it('answers a wrong password and an unknown email identically with 401 INVALID_CREDENTIALS', async () => {
    const wrong = await request(t.app)
      .post('/api/users/signin')
      .send({ ...credentials, password: 'wrong password' })
      .expect(401);
    const unknown = await request(t.app).post('/api/users/signin').send({ email: 'nobody@example.com', password: 'whatever1' }).expect(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('rejects a banned user with the right password with 403 USER_BANNED, and with the wrong one with 401', async () => {
    await database.db.execute(sql`UPDATE users SET banned_at = now(), ban_reason = 'spam'`);
    expect((await request(t.app).post('/api/users/signin').send(credentials).expect(403)).body.code).toBe('USER_BANNED');
    await request(t.app)
      .post('/api/users/signin')
      .send({ ...credentials, password: 'wrong password' })
      .expect(401);
  });

  it('limits failed attempts per email with 429 RATE_LIMITED and Retry-After until the window ends', async () => {
    for (let i = 0; i < 3; i += 1) {
      await request(t.app)
        .post('/api/users/signin')
        .send({ ...credentials, password: 'wrong password' })
        .expect(401);
    }
    t.clock.advance(15_000);
    const limited = await request(t.app).post('/api/users/signin').send(credentials).expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBe('45');
    t.clock.advance(45_000);
    await request(t.app).post('/api/users/signin').send(credentials).expect(200);
  });

  it('limits failed attempts per IP across emails', async () => {
    for (let i = 0; i < 5; i += 1) {
      await request(t.app)
        .post('/api/users/signin')
        .send({ email: `guess${i}@example.com`, password: 'wrong password' })
        .expect(401);
    }
    const limited = await request(t.app).post('/api/users/signin').send(credentials).expect(429);
    expect(limited.headers['retry-after']).toBe('60');
  });

  it('does not count successful sign-ins towards the limit', async () => {
    for (let i = 0; i < 4; i += 1) {
      await request(t.app).post('/api/users/signin').send(credentials).expect(200);
    }
  });
});

describe('GET /api/users/me', () => {
  it('returns the user for a Bearer token and for the access cookie', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const bearer = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(200);
    expect(bearer.body).toEqual({ user: signUp.body.user });
    const cookie = await request(t.app).get('/api/users/me').set('Cookie', `veto_access=${signUp.body.accessToken}`).expect(200);
    expect(cookie.body).toEqual({ user: signUp.body.user });
  });

  it('prefers the Bearer token over the cookie', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const res = await request(t.app).get('/api/users/me').set('Authorization', 'Bearer not.a.token').set('Cookie', `veto_access=${signUp.body.accessToken}`).expect(401);
    expect(res.body.code).toBe('TOKEN_MALFORMED');
  });

  it('answers 401 TOKEN_MISSING without a token, with a challenge carrying no error', async () => {
    const res = await request(t.app).get('/api/users/me').expect(401);
    expect(res.body.code).toBe('TOKEN_MISSING');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('rejects a tampered token with 401 TOKEN_INVALID_SIGNATURE and an invalid_token challenge', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const [header, payload, signature] = (signUp.body.accessToken as string).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const res = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${header}.${forged}.${signature}`).expect(401);
    expect(res.body.code).toBe('TOKEN_INVALID_SIGNATURE');
    expect(res.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
  });

  it('rejects a token signed by another service instance key with 401 TOKEN_UNKNOWN_KEY', async () => {
    const other = await createTestApp(database);
    const signUp = await request(other.app).post('/api/users/signup').send(credentials).expect(201);
    const res = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(401);
    expect(res.body.code).toBe('TOKEN_UNKNOWN_KEY');
  });

  it('rejects an expired token with 401 TOKEN_EXPIRED', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    t.clock.advance(900_000);
    const res = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(401);
    expect(res.body.code).toBe('TOKEN_EXPIRED');
  });

  it('rejects a still-unexpired token after sign-out with 401 SESSION_REVOKED', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    await request(t.app).post('/api/users/signout').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(204);
    const res = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(401);
    expect(res.body.code).toBe('SESSION_REVOKED');
  });
});

describe('POST /api/users/signout', () => {
  it('ends the session found by the refresh token, revokes its refresh tokens and clears both cookies', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    const res = await request(t.app).post('/api/users/signout').send({ refreshToken: signUp.body.refreshToken }).expect(204);
    const cookies = parseSetCookies(res.headers['set-cookie']);
    expect(cookies.get('veto_access')?.value).toBe('');
    expect(cookies.get('veto_access')?.attributes.get('path')).toBe('/');
    expect(cookies.get('veto_refresh')?.value).toBe('');
    expect(cookies.get('veto_refresh')?.attributes.get('path')).toBe('/api/auth/refresh');
    expect(cookies.get('veto_access')?.attributes.get('max-age')).toBe('0');
    expect(cookies.get('veto_refresh')?.attributes.get('max-age')).toBe('0');
    const refresh = await request(t.app).post('/api/auth/refresh').send({ refreshToken: signUp.body.refreshToken }).expect(401);
    expect(refresh.body.code).toBe('REFRESH_TOKEN_INVALID');
    await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${signUp.body.accessToken}`).expect(401);
  });

  it('ends the session of the access cookie even when the token has expired', async () => {
    const signUp = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    t.clock.advance(3_600_000);
    await request(t.app).post('/api/users/signout').set('Cookie', `veto_access=${signUp.body.accessToken}`).type('json').expect(204);
    const refresh = await request(t.app).post('/api/auth/refresh').send({ refreshToken: signUp.body.refreshToken }).expect(401);
    expect(refresh.body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('answers 204 without any session, and leaves other sessions alive', async () => {
    const first = await request(t.app).post('/api/users/signup').send(credentials).expect(201);
    await request(t.app).post('/api/users/signout').expect(204);
    await request(t.app).post('/api/users/signout').set('Authorization', 'Bearer forged.token.here').expect(204);
    await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${first.body.accessToken}`).expect(200);
  });
});
