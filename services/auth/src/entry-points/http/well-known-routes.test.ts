import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { createSigningKeys } from '../../domain/signing-keys';
import { createTestApp, generateTestKeyPem } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(() => database.reset());
afterAll(() => database.close());

interface Jwks {
  keys: (JsonWebKey & { kid: string; alg: string; use: string })[];
}

describe('GET /.well-known/jwks.json', () => {
  it('verifies a token issued by sign-up with a key built only from the JWKS', async () => {
    const t = await createTestApp(database);
    const signUp = await request(t.app).post('/api/users/signup').send({ email: 'ada@example.com', password: 'correct horse battery' }).expect(201);
    const res = await request(t.app).get('/.well-known/jwks.json').expect(200);
    const token = signUp.body.accessToken as string;
    const kid = jwt.decode(token, { complete: true })?.header.kid;
    const jwk = (res.body as Jwks).keys.find((key) => key.kid === kid);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    const claims = jwt.verify(token, key, { algorithms: ['ES256'], issuer: t.config.issuer, audience: t.config.audience, clockTimestamp: t.clock() / 1000 });
    expect(claims).toMatchObject({ sub: signUp.body.user.id, role: 'user' });
  });

  it('publishes each key with kid, alg ES256, use sig and no private part, cacheable for a short time', async () => {
    const t = await createTestApp(database);
    const res = await request(t.app).get('/.well-known/jwks.json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toEqual({ keys: [{ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String), kid: t.keys.kid, alg: 'ES256', use: 'sig' }] });
  });

  it('keeps publishing previous keys, so tokens signed before a rotation still verify', async () => {
    const previousPem = generateTestKeyPem();
    const before = await createTestApp(database, {}, { keys: createSigningKeys({ privateKeyPem: previousPem }) });
    const oldToken = (await request(before.app).post('/api/users/signup').send({ email: 'ada@example.com', password: 'correct horse battery' }).expect(201)).body
      .accessToken as string;

    const previousPublicPem = createPublicKey(previousPem).export({ type: 'spki', format: 'pem' }).toString();
    const rotated = createSigningKeys({ privateKeyPem: generateTestKeyPem(), previousPublicKeyPems: [previousPublicPem] });
    const after = await createTestApp(database, {}, { keys: rotated });
    const jwks = (await request(after.app).get('/.well-known/jwks.json').expect(200)).body as Jwks;
    expect(jwks.keys.map((key) => key.kid)).toEqual([rotated.kid, before.keys.kid]);

    const oldKid = jwt.decode(oldToken, { complete: true })?.header.kid;
    const oldKey = createPublicKey({ key: jwks.keys.find((key) => key.kid === oldKid) as JsonWebKey, format: 'jwk' });
    expect(() => jwt.verify(oldToken, oldKey, { algorithms: ['ES256'], clockTimestamp: after.clock() / 1000 })).not.toThrow();
    // The service itself still accepts the old token for /me.
    await request(after.app).get('/api/users/me').set('Authorization', `Bearer ${oldToken}`).expect(200);
  });

  it('does not publish a key that could verify a token from another signer', async () => {
    const t = await createTestApp(database);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const forged = jwt.sign({ sub: 'x', sid: 'y' }, stranger, { algorithm: 'ES256', keyid: t.keys.kid });
    const jwks = (await request(t.app).get('/.well-known/jwks.json').expect(200)).body as Jwks;
    const key = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });
    expect(() => jwt.verify(forged, key, { algorithms: ['ES256'] })).toThrow(jwt.JsonWebTokenError);
  });
});
