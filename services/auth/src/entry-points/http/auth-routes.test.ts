import { sql } from 'drizzle-orm';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { availableDrivers, openTestDatabase, selectRows, type TestDatabase } from '../../test-support/test-database';

const credentials = { email: 'grace@example.com', password: 'correct horse battery' };

describe.each(availableDrivers())('POST /api/auth/refresh on %s', (driver) => {
  let database: TestDatabase;
  let t: TestApp;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  beforeEach(async () => {
    await database.reset();
    t = await createTestApp(database);
  });
  afterAll(async () => {
    await database.close();
  });

  async function signUp(): Promise<{ accessToken: string; refreshToken: string }> {
    return (await request(t.app).post('/api/users/signup').send(credentials).expect(201)).body;
  }

  it('rotates a body token: new access and refresh tokens for the same session', async () => {
    const first = await signUp();
    t.clock.advance(1000);
    const res = await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
    expect(res.body.refreshToken).toEqual(expect.any(String));
    expect(res.body.refreshToken).not.toBe(first.refreshToken);
    expect(res.body.accessToken).not.toBe(first.accessToken);
    const sid = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid;
    expect(sid(res.body.accessToken)).toBe(sid(first.accessToken));
    await request(t.app).post('/api/auth/refresh').send({ refreshToken: res.body.refreshToken }).expect(200);
  });

  it('rotates the cookie token, answering with cookies only (no refresh token in the body)', async () => {
    const first = await signUp();
    const res = await request(t.app).post('/api/auth/refresh').set('Cookie', `veto_refresh=${first.refreshToken}`).type('json').expect(200);
    expect(res.body.refreshToken).toBeUndefined();
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const refreshCookie = setCookies.find((line) => line.startsWith('veto_refresh='));
    expect(refreshCookie).toMatch(/Path=\/api\/auth\/refresh/);
    expect(refreshCookie).not.toContain(first.refreshToken);
  });

  it('detects reuse of a rotated token: 401 REFRESH_TOKEN_REUSED, session revoked, newest token dead too', async () => {
    const first = await signUp();
    const second = (await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200)).body;
    const reused = await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(reused.headers['www-authenticate']).toContain('invalid_token');
    const newest = await request(t.app).post('/api/auth/refresh').send({ refreshToken: second.refreshToken }).expect(401);
    expect(newest.body.code).toBe('REFRESH_TOKEN_INVALID');
    const me = await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${second.accessToken}`).expect(401);
    expect(me.body.code).toBe('SESSION_REVOKED');
    const sessions = await selectRows(database.db, sql`SELECT revoke_reason FROM sessions`);
    expect(sessions).toEqual([{ revoke_reason: 'refresh_token_reused' }]);
  });

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const first = await signUp();
    const results = await Promise.all([
      request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }),
      request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }),
    ]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 401]);
    expect(results.find((res) => res.status === 401)?.body.code).toBe('REFRESH_TOKEN_REUSED');
  });

  it('rejects an expired refresh token with 401 REFRESH_TOKEN_EXPIRED', async () => {
    const first = await signUp();
    t.clock.advance(7 * 24 * 3600 * 1000);
    const res = await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(res.body.code).toBe('REFRESH_TOKEN_EXPIRED');
  });

  it('accepts a refresh token one millisecond before it expires', async () => {
    const first = await signUp();
    t.clock.advance(7 * 24 * 3600 * 1000 - 1);
    await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
  });

  it('rejects an unknown or missing refresh token with 401 REFRESH_TOKEN_INVALID', async () => {
    expect((await request(t.app).post('/api/auth/refresh').send({ refreshToken: 'made-up' }).expect(401)).body.code).toBe('REFRESH_TOKEN_INVALID');
    expect((await request(t.app).post('/api/auth/refresh').expect(401)).body.code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('refuses to refresh for a banned user with 403 USER_BANNED', async () => {
    const first = await signUp();
    await database.db.execute(sql`UPDATE users SET banned_at = now()`);
    expect((await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(403)).body.code).toBe('USER_BANNED');
  });

  it('stores refresh tokens only as SHA-256 hashes', async () => {
    const first = await signUp();
    const rows = await selectRows<{ token_hash: string }>(database.db, sql`SELECT token_hash FROM refresh_tokens`);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(first.refreshToken);
    expect(rows[0]?.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('signs a browser out with DELETE /api/auth/refresh and the refresh cookie alone, even after the access cookie expired', async () => {
    const first = await signUp();
    t.clock.advance(3_600_000);
    const res = await request(t.app).delete('/api/auth/refresh').set('Cookie', `veto_refresh=${first.refreshToken}`).type('json').expect(204);
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    expect(setCookies.find((line) => line.startsWith('veto_refresh='))).toMatch(/^veto_refresh=;.*Max-Age=0.*Path=\/api\/auth\/refresh/);
    expect(setCookies.find((line) => line.startsWith('veto_access='))).toMatch(/^veto_access=;.*Max-Age=0.*Path=\//);
    const refresh = await request(t.app).post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(401);
    expect(refresh.body.code).toBe('REFRESH_TOKEN_INVALID');
    expect(await selectRows(database.db, sql`SELECT revoke_reason FROM sessions`)).toEqual([{ revoke_reason: 'signout' }]);
  });
});
