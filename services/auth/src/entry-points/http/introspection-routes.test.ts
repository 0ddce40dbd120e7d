import request from 'supertest';
import { setUserRole } from '../../data-access/users-repository';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, type TestUser } from '../../test-support/test-users';

const SECRET = 'introspection-secret-0123456789';
const CHALLENGE = 'Basic realm="veto-introspection", error="invalid_client"';
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

const basicRaw = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
const basic = (secret: string, clientId = 'resource-server') => basicRaw(`${clientId}:${secret}`);
const introspect = (token: string, authorization = basic(SECRET), app = t.app) =>
  request(app).post('/api/auth/introspect').set('Authorization', authorization).type('form').send({ token });

describe('POST /api/auth/introspect', () => {
  it('answers an active token with its claims, exp and iat in whole seconds, token_type Bearer, never cached', async () => {
    const res = await introspect(ada.accessToken).expect(200);
    const claims = JSON.parse(Buffer.from(ada.accessToken.split('.')[1] ?? '', 'base64url').toString());
    expect(res.body).toEqual({
      active: true,
      sub: ada.id,
      sid: claims.sid,
      role: 'user',
      exp: Math.floor(claims.exp),
      iat: Math.floor(claims.iat),
      iss: 'veto-auth',
      aud: 'veto',
      jti: claims.jti,
      token_type: 'Bearer',
    });
    expect(Number.isInteger(res.body.exp) && Number.isInteger(res.body.iat)).toBe(true);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('accepts a JSON body and the secret as a Bearer credential', async () => {
    const res = await request(t.app).post('/api/auth/introspect').set('Authorization', `Bearer ${SECRET}`).send({ token: ada.accessToken }).expect(200);
    expect(res.body.active).toBe(true);
  });

  it('accepts client_secret_post: client_id and client_secret in the form', async () => {
    const res = await request(t.app).post('/api/auth/introspect').type('form').send({ token: ada.accessToken, client_id: 'resource-server', client_secret: SECRET }).expect(200);
    expect(res.body.active).toBe(true);
  });

  it('form-urldecodes the client id and secret of HTTP Basic (RFC 6749 §2.3.1): "+" is a space, %XX a UTF-8 byte', async () => {
    const secret = 'p+l%us:co-lon and spaces ü';
    const app = (await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: secret, INTROSPECTION_CLIENT_ID: 'rs:1' }, { keys: t.keys })).app;
    await introspect(ada.accessToken, basicRaw('rs%3A1:p%2Bl%25us%3Aco%2Dlon+and%20spaces+%C3%BC'), app).expect(200);
    // Unencoded, the secret's "+" and "%us" mean something else.
    const raw = await introspect(ada.accessToken, basicRaw(`rs%3A1:${secret}`), app).expect(401);
    expect(raw.body.error).toBe('invalid_client');
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

  it('answers the stored role, not the token\'s: an admin demoted in the database introspects as "user"', async () => {
    const admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
    expect((await introspect(admin.accessToken).expect(200)).body.role).toBe('admin');

    await setUserRole(database.db, admin.id, 'user', new Date(t.clock()));

    expect((await introspect(admin.accessToken).expect(200)).body).toMatchObject({ active: true, sub: admin.id, role: 'user' });
  });

  describe('errors: problem details with OAuth error members (RFC 7662 §2.3, RFC 6749 §5.2)', () => {
    it.each([
      ['a wrong Basic secret', basic('wrong-secret-0123456789')],
      ['a wrong Bearer secret', `Bearer ${SECRET}x`],
      ['a Basic credential that is not Base64', 'Basic !!!'],
      ['a Basic credential without ":"', basicRaw(`resource-server${SECRET}`)],
      ['a malformed percent-encoding in the Basic secret', basicRaw(`resource-server:${SECRET}%zz`)],
      ['a Basic credential that is not UTF-8', `Basic ${Buffer.from([0x72, 0x3a, 0xff, 0xfe]).toString('base64')}`],
      ['another scheme', 'Digest username="resource-server"'],
    ])('answers 401 invalid_client with a Basic challenge for %s', async (_case, authorization) => {
      const res = await introspect(ada.accessToken, authorization).expect(401);
      expect(res.body).toMatchObject({ status: 401, code: 'INTROSPECTION_UNAUTHORIZED', error: 'invalid_client', type: 'urn:veto:error:introspection_unauthorized' });
      expect(res.body.error_description).toBe(res.body.detail);
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('answers 401 invalid_client with a Basic challenge without any client authentication', async () => {
      const res = await request(t.app).post('/api/auth/introspect').type('form').send({ token: ada.accessToken }).expect(401);
      expect(res.body).toMatchObject({ code: 'INTROSPECTION_UNAUTHORIZED', error: 'invalid_client' });
      expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    });

    it('answers 401 invalid_client without a challenge for a wrong client_secret_post (no Authorization header was used)', async () => {
      const res = await request(t.app)
        .post('/api/auth/introspect')
        .type('form')
        .send({ token: ada.accessToken, client_id: 'resource-server', client_secret: 'wrong-secret-0123456789' })
        .expect(401);
      expect(res.body).toMatchObject({ code: 'INTROSPECTION_UNAUTHORIZED', error: 'invalid_client' });
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('answers 400 invalid_request (VALIDATION_FAILED) without a token, for a repeated token, and for client_secret without client_id', async () => {
      const bodies = ['', `token=${ada.accessToken}&token=${ada.accessToken}`, `token=${ada.accessToken}&client_secret=${SECRET}`];
      for (const [index, body] of bodies.entries()) {
        const req = request(t.app).post('/api/auth/introspect').type('form');
        const res = await (index === 2 ? req : req.set('Authorization', basic(SECRET))).send(body).expect(400);
        expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', error: 'invalid_request' });
        expect(res.headers['www-authenticate']).toBeUndefined();
      }
    });

    it('answers 400 invalid_request for two client authentication methods in one request (RFC 6749 §2.3)', async () => {
      const res = await request(t.app)
        .post('/api/auth/introspect')
        .set('Authorization', basic(SECRET))
        .type('form')
        .send({ token: ada.accessToken, client_id: 'resource-server', client_secret: SECRET })
        .expect(400);
      expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', error: 'invalid_request', errors: [{ field: 'client_secret' }] });
    });

    it('answers 400 invalid_request (MALFORMED_JSON) for a JSON body that does not parse', async () => {
      const res = await request(t.app).post('/api/auth/introspect').set('Authorization', basic(SECRET)).type('json').send('{"token":').expect(400);
      expect(res.body).toMatchObject({ code: 'MALFORMED_JSON', error: 'invalid_request' });
    });

    it('answers 413 invalid_request (PAYLOAD_TOO_LARGE) for a form of more than 1000 parameters', async () => {
      const form = Array.from({ length: 1001 }, (_, index) => `p${index}=`).join('&');
      const res = await request(t.app).post('/api/auth/introspect').set('Authorization', basic(SECRET)).type('form').send(form).expect(413);
      expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', error: 'invalid_request' });
    });

    it('answers application/problem+json to a client that asks for it, the same members', async () => {
      const res = await introspect(ada.accessToken, basic('wrong-secret-0123456789')).set('Accept', 'application/problem+json').expect(401);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.body).toMatchObject({ code: 'INTROSPECTION_UNAUTHORIZED', error: 'invalid_client' });
    });

    it('answers 404 INTROSPECTION_DISABLED (invalid_request) when no secret is configured', async () => {
      const disabled = await createTestApp(database);
      const res = await introspect(ada.accessToken, basic(SECRET), disabled.app).expect(404);
      expect(res.body).toMatchObject({ code: 'INTROSPECTION_DISABLED', error: 'invalid_request' });
      expect(res.headers['www-authenticate']).toBeUndefined();
    });
  });

  describe('with INTROSPECTION_CLIENT_ID', () => {
    let identified: TestApp;
    beforeEach(async () => {
      identified = await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: SECRET, INTROSPECTION_CLIENT_ID: 'resource-server' }, { keys: t.keys });
    });

    it('accepts the configured client id with Basic and post', async () => {
      await introspect(ada.accessToken, basic(SECRET, 'resource-server'), identified.app).expect(200);
      await request(identified.app).post('/api/auth/introspect').type('form').send({ token: ada.accessToken, client_id: 'resource-server', client_secret: SECRET }).expect(200);
    });

    it('refuses another client id with the right secret, and a Bearer credential (it carries no client id), with 401 invalid_client', async () => {
      for (const authorization of [basic(SECRET, 'someone-else'), `Bearer ${SECRET}`]) {
        const res = await introspect(ada.accessToken, authorization, identified.app).expect(401);
        expect(res.body).toMatchObject({ code: 'INTROSPECTION_UNAUTHORIZED', error: 'invalid_client' });
      }
    });
  });
});
