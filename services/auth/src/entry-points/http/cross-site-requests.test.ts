import { sql } from 'drizzle-orm';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, selectRows, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, TEST_PASSWORD, type TestUser } from '../../test-support/test-users';

// Supertest addresses the app as http://<Host>; a fixed Host makes the site's own origin known.
const HOST = 'veto.test';
const OWN_ORIGIN = `http://${HOST}`;
const EVIL_ORIGIN = 'https://evil.example';
const INTROSPECTION_SECRET = 'introspection-secret-0123456789';

let database: TestDatabase;
let t: TestApp;
let admin: TestUser;
let ada: TestUser;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: INTROSPECTION_SECRET });
  admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
  ada = await createTestUser(t.app, database.db, 'ada@example.com');
});
afterAll(() => database.close());

/** The admin's browser: only the access cookie, no Authorization header. */
const revokeAdasSessions = (app = t.app) => request(app).post(`/api/admin/users/${ada.id}/sessions/revoke`).set('Host', HOST).set('Cookie', `veto_access=${admin.accessToken}`);

async function adasLiveSessions(): Promise<number> {
  const [row] = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM sessions WHERE user_id = ${ada.id} AND revoked_at IS NULL`);
  return row?.n ?? -1;
}

async function revocationEvents(): Promise<number> {
  const [row] = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM outbox WHERE type = 'user.sessions_revoked'`);
  return row?.n ?? -1;
}

describe('cross-site requests to the auth service', () => {
  it("refuses the issue's cross-site revoke (admin cookie, Origin https://evil.example, no body) with 403 CROSS_SITE_REQUEST and revokes nothing", async () => {
    expect(await adasLiveSessions()).toBe(1);

    expectProblem(await revokeAdasSessions().set('Origin', EVIL_ORIGIN), 403, 'CROSS_SITE_REQUEST');

    expect(await adasLiveSessions()).toBe(1);
    expect(await revocationEvents()).toBe(0);
    await request(t.app).get('/api/users/me').set('Authorization', `Bearer ${ada.accessToken}`).expect(200);
  });

  it("revokes from the site's own origin with a JSON content type (200)", async () => {
    await revokeAdasSessions().set('Origin', OWN_ORIGIN).send({}).expect(200);

    expect(await adasLiveSessions()).toBe(0);
    expect(await revocationEvents()).toBe(1);
  });

  it('refuses the cookie without Content-Type: application/json, even from its own origin and without a body (415)', async () => {
    expectProblem(await revokeAdasSessions().set('Origin', OWN_ORIGIN), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await revokeAdasSessions().set('Content-Type', 'text/plain').send('{}'), 415, 'UNSUPPORTED_MEDIA_TYPE');

    expect(await adasLiveSessions()).toBe(1);
  });

  it('refuses Sec-Fetch-Site: cross-site without an Origin (403)', async () => {
    expectProblem(await revokeAdasSessions().set('Sec-Fetch-Site', 'cross-site').send({}), 403, 'CROSS_SITE_REQUEST');

    expect(await adasLiveSessions()).toBe(1);
  });

  it('accepts the cookie from a non-browser client (no Origin, no Sec-Fetch-Site) that declares JSON', async () => {
    await revokeAdasSessions().type('json').expect(200);

    expect(await adasLiveSessions()).toBe(0);
  });

  it('leaves Bearer clients alone, whatever Origin they send', async () => {
    await request(t.app)
      .post(`/api/admin/users/${ada.id}/sessions/revoke`)
      .set('Host', HOST)
      .set('Authorization', `Bearer ${admin.accessToken}`)
      .set('Origin', EVIL_ORIGIN)
      .expect(200);

    expect(await adasLiveSessions()).toBe(0);
  });

  it('refuses a sign-in from another origin (login CSRF) without setting cookies', async () => {
    const res = await request(t.app).post('/api/users/signin').set('Host', HOST).set('Origin', EVIL_ORIGIN).send({ email: ada.email, password: TEST_PASSWORD });

    expectProblem(res, 403, 'CROSS_SITE_REQUEST');
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('lets an origin listed in ALLOWED_ORIGINS through', async () => {
    const configured = await createTestApp(database, { ALLOWED_ORIGINS: 'https://console.example.com' }, { keys: t.keys });

    await revokeAdasSessions(configured.app).set('Origin', 'https://console.example.com').send({}).expect(200);
    expectProblem(await revokeAdasSessions(configured.app).set('Origin', EVIL_ORIGIN).send({}), 403, 'CROSS_SITE_REQUEST');
  });

  it('keeps introspection working for servers (no Origin): client_secret_post in a form, and Basic', async () => {
    const posted = await request(t.app)
      .post('/api/auth/introspect')
      .set('Host', HOST)
      .type('form')
      .send({ token: ada.accessToken, client_id: 'resource-server', client_secret: INTROSPECTION_SECRET })
      .expect(200);
    expect(posted.body.active).toBe(true);

    const basic = `Basic ${Buffer.from(`resource-server:${INTROSPECTION_SECRET}`).toString('base64')}`;
    const withOrigin = await request(t.app).post('/api/auth/introspect').set('Host', HOST).set('Authorization', basic).type('form').send({ token: ada.accessToken }).expect(200);
    expect(withOrigin.body.active).toBe(true);
  });
});
