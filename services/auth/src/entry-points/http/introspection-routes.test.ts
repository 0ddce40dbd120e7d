import request from 'supertest';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, type TestUser } from '../../test-support/test-users';

const SECRET = 'introspection-secret-0123456789';
let database: TestDatabase;
let t: TestApp;
let ada: TestUser;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: SECRET });
  ada = await createTestUser(t.app, database.db, 'ada@example.com');
});
afterAll(() => database.close());

const basic = (secret: string) => `Basic ${Buffer.from(`resource-server:${secret}`).toString('base64')}`;
const introspect = (token: string, authorization = basic(SECRET)) =>
  request(t.app).post('/api/auth/introspect').set('Authorization', authorization).type('form').send({ token });

describe('POST /api/auth/introspect', () => {
  it('answers an active token with its claims (form body, HTTP Basic), never cached', async () => {
    const res = await introspect(ada.accessToken).expect(200);
    const claims = JSON.parse(Buffer.from(ada.accessToken.split('.')[1] ?? '', 'base64url').toString());
    expect(res.body).toEqual({
      active: true,
      sub: ada.id,
      sid: claims.sid,
      role: 'user',
      exp: claims.exp,
      iat: claims.iat,
      iss: 'veto-auth',
      aud: 'veto',
      jti: claims.jti,
      token_type: 'access_token',
    });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('accepts a JSON body and the secret as a Bearer credential', async () => {
    const res = await request(t.app).post('/api/auth/introspect').set('Authorization', `Bearer ${SECRET}`).send({ token: ada.accessToken }).expect(200);
    expect(res.body.active).toBe(true);
  });

  it('answers {active:false} for garbage, a tampered, an expired token, a signed-out session, a revoked session and a banned user', async () => {
    expect((await introspect('garbage').expect(200)).body).toEqual({ active: false });
    const [header, payload, signature] = ada.accessToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), role: 'admin' })).toString('base64url');
    expect((await introspect(`${header}.${forged}.${signature}`)).body).toEqual({ active: false });

    const admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
    const bob = await createTestUser(t.app, database.db, 'bob@example.com');
    await request(t.app).post(`/api/admin/users/${bob.id}/ban`).set('Authorization', `Bearer ${admin.accessToken}`).send({ reason: 'spam' }).expect(200);
    expect((await introspect(bob.accessToken)).body).toEqual({ active: false });

    const carol = await createTestUser(t.app, database.db, 'carol@example.com');
    await request(t.app).post(`/api/admin/users/${carol.id}/sessions/revoke`).set('Authorization', `Bearer ${admin.accessToken}`).expect(200);
    expect((await introspect(carol.accessToken)).body).toEqual({ active: false });

    await request(t.app).post('/api/users/signout').send({ refreshToken: ada.refreshToken }).expect(204);
    expect((await introspect(ada.accessToken)).body).toEqual({ active: false });

    const dave = await createTestUser(t.app, database.db, 'dave@example.com');
    t.clock.advance(900_000);
    expect((await introspect(dave.accessToken)).body).toEqual({ active: false });
  });

  it('answers 401 INTROSPECTION_UNAUTHORIZED with a Basic challenge for a missing or wrong secret', async () => {
    for (const authorization of [basic('wrong-secret-0123456789'), `Bearer ${SECRET}x`, 'Basic !!!', '']) {
      const res = await introspect(ada.accessToken, authorization).expect(401);
      expect(res.body.code).toBe('INTROSPECTION_UNAUTHORIZED');
      expect(res.headers['www-authenticate']).toBe('Basic realm="veto-introspection"');
    }
  });

  it('answers 400 VALIDATION_FAILED without a token', async () => {
    const res = await request(t.app).post('/api/auth/introspect').set('Authorization', basic(SECRET)).type('form').send({}).expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('answers 404 INTROSPECTION_DISABLED when no secret is configured', async () => {
    const disabled = await createTestApp(database);
    const res = await request(disabled.app).post('/api/auth/introspect').set('Authorization', basic(SECRET)).type('form').send({ token: ada.accessToken }).expect(404);
    expect(res.body.code).toBe('INTROSPECTION_DISABLED');
  });
});
