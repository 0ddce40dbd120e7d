import { keysFromJwks } from '@veto/auth-lib';
import { createTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks } from '@veto/auth-lib/testing';
import { waitUntil } from '@veto/e2e';
import express from 'express';
import { createClient } from 'redis';
import request from 'supertest';
import { gateProblem } from './gate-problem';
import { redisDenylistGate, revokedTokenKey, revokedUserKey } from './redis-denylist-gate';
import { startRedisServer, type RedisServerHandle } from './redis-server';

let redis: RedisServerHandle;
let client: ReturnType<typeof createClient>;
let app: express.Express;

beforeAll(async () => {
  redis = await startRedisServer();
  client = createClient({ url: redis.url, disableOfflineQueue: true });
  // node-redis emits connection errors; unheard they would crash the process. The last test wants them.
  client.on('error', () => {});
  await client.connect();
  app = express()
    .use(redisDenylistGate({ redis: client, keys: keysFromJwks(testJwks()), issuer: TEST_ISSUER, audience: TEST_AUDIENCE }))
    .get('/read', (req, res) => void res.json({ sub: (req as express.Request & { auth?: { sub: string } }).auth?.sub }))
    .use(gateProblem);
});
afterAll(async () => {
  client.destroy();
  await redis.stop();
});

it('accepts a valid token whose user and jti are not on the denylist', async () => {
  await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-ok' })}`)
    .expect(200, { sub: 'u-ok' });
});

it('refuses with 401 REVOKED_TOKEN a token whose user is on the denylist, and one whose jti is', async () => {
  await client.set(revokedUserKey('u-banned'), '1');
  const banned = await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-banned' })}`);
  expect(banned.status).toBe(401);
  expect(banned.body).toMatchObject({ code: 'REVOKED_TOKEN' });

  await client.set(revokedTokenKey('jti-logged-out'), '1');
  const loggedOut = await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-other', jti: 'jti-logged-out' })}`);
  expect(loggedOut.body).toMatchObject({ status: 401, code: 'REVOKED_TOKEN' });
});

it('refuses with 401 INVALID_TOKEN a bad signature and a wrong audience, before asking Redis', async () => {
  const forged = signTestToken({ sub: 'u-ok' }, { keyPair: createTestKeyPair(TEST_KEY_PAIR.kid) });
  expect((await request(app).get('/read').set('authorization', `Bearer ${forged}`)).body).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
  const elsewhere = signTestToken({ sub: 'u-ok', aud: 'another-service' });
  expect((await request(app).get('/read').set('authorization', `Bearer ${elsewhere}`)).body).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
});

it('fails closed with 503 DENYLIST_UNAVAILABLE once Redis is stopped, for a valid token too', async () => {
  await redis.stop();
  await waitUntil('the client to see Redis gone', async () => !client.isReady, 5_000);
  const response = await request(app)
    .get('/read')
    .set('authorization', `Bearer ${signTestToken({ sub: 'u-ok' })}`);
  expect(response.status).toBe(503);
  expect(response.body).toMatchObject({ code: 'DENYLIST_UNAVAILABLE' });
});
