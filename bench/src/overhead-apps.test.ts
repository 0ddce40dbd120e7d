import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRevocationFeed, createVerifier, keysFromJwks, RevocationCache, type RevocationFeed } from '@veto/auth-lib';
import { signTestToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER, testJwks, type JwksServer } from '@veto/auth-lib/testing';
import { connect, ensureStreams, type NatsConnection } from '@veto/events';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { openTestDatabase, type TestDatabase } from '@veto/storage/testing';
import { MIGRATIONS_FOLDER, schema } from '@veto/tickets';
import express, { type Express } from 'express';
import pino from 'pino';
import { createClient } from 'redis';
import request from 'supertest';
import { introspectionGate } from './introspection-gate';
import { jwksRsaGate } from './jwks-rsa-gate';
import { createOverheadApps, NO_READ_PATH } from './overhead-apps';
import { OVERHEAD_MODES, type OverheadMode } from './overhead-modes';
import { redisDenylistGate } from './redis-denylist-gate';
import { startRedisServer, type RedisServerHandle } from './redis-server';

const SECRET = 'a client secret of some length';
const logger = pino({ level: 'silent' });
let nats: NatsServerHandle;
let nc: NatsConnection;
let feed: RevocationFeed;
let redis: RedisServerHandle;
let redisClient: ReturnType<typeof createClient>;
let jwks: JwksServer;
let introspection: Server;
let database: TestDatabase<typeof schema>;
let apps: Record<OverheadMode, Express>;
const introspected: string[] = [];

beforeAll(async () => {
  [nats, redis, jwks, database] = await Promise.all([
    startNatsServer(),
    startRedisServer(),
    startJwksServer(testJwks()),
    openTestDatabase({ schema, schemaName: 'tickets', migrationsFolder: MIGRATIONS_FOLDER }),
  ]);
  // A stand-in for the auth service's RFC 7662 endpoint (introspection-gate.test.ts covers the gate itself).
  const auth = express().post('/introspect', express.urlencoded({ extended: false }), (req, res) => {
    introspected.push(req.body.token as string);
    res.json({ active: true });
  });
  introspection = auth.listen(0, '127.0.0.1');
  await once(introspection, 'listening');
  nc = await connect({ servers: nats.url });
  await ensureStreams(nc);
  const cache = new RevocationCache({ accessTokenTtlSeconds: 900, clockSkewSeconds: 30 });
  feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: 900, clockSkewSeconds: 30, logger });
  redisClient = createClient({ url: redis.url, disableOfflineQueue: true });
  redisClient.on('error', () => {});
  await redisClient.connect();
  apps = createOverheadApps({
    database,
    cache,
    feed,
    logger,
    veto: (cacheEnabled) =>
      createVerifier({
        issuer: TEST_ISSUER,
        audience: TEST_AUDIENCE,
        keys: testJwks(),
        clockSkewSeconds: 30,
        accessTokenTtlSeconds: 900,
        revocations: cache,
        isRevocationAvailable: feed.isRevocationAvailable,
        cache: { enabled: cacheEnabled },
      }),
    gates: {
      introspection: introspectionGate({ url: `http://127.0.0.1:${(introspection.address() as AddressInfo).port}/introspect`, clientSecret: SECRET }),
      'redis-denylist': redisDenylistGate({ redis: redisClient, keys: keysFromJwks(testJwks()), issuer: TEST_ISSUER, audience: TEST_AUDIENCE }),
      'express-jwt-jwks': jwksRsaGate({ jwksUri: jwks.url, issuer: TEST_ISSUER, audience: TEST_AUDIENCE }),
    },
  });
  await feed.ready;
});
afterAll(async () => {
  introspection?.close();
  introspection?.closeAllConnections();
  redisClient?.destroy();
  await feed?.stop();
  await nc?.close();
  await Promise.all([redis?.stop(), nats?.stop(), jwks?.close()]);
});

it('serves the read route from the database and the no-read route with the database closed, in every mode', async () => {
  const token = signTestToken({ sub: 'u-bench' });
  const created = await request(apps.veto).post('/api/tickets').set('authorization', `Bearer ${token}`).send({ title: 'Bench ticket', price: 4200 }).expect(201);
  for (const mode of OVERHEAD_MODES) {
    await request(apps[mode])
      .get(`/api/tickets/${created.body.id as string}`)
      .set('authorization', `Bearer ${token}`)
      .expect(200);
  }

  await database.close();
  for (const mode of OVERHEAD_MODES) {
    const read = await request(apps[mode])
      .get(`/api/tickets/${created.body.id as string}`)
      .set('authorization', `Bearer ${token}`);
    expect({ mode, status: read.status }).toEqual({ mode, status: 500 });
    const noRead = await request(apps[mode]).get(NO_READ_PATH).set('authorization', `Bearer ${token}`);
    expect({ mode, status: noRead.status, body: noRead.body }).toEqual({ mode, status: 200, body: { sub: 'u-bench' } });
  }
});

it("puts the no-read route behind each mode's gate: the token is asked about, a bad one refused", async () => {
  const token = signTestToken({ sub: 'u-gated' });
  introspected.length = 0;
  await request(apps.introspection).get(NO_READ_PATH).set('authorization', `Bearer ${token}`).expect(200, { sub: 'u-gated' });
  expect(introspected).toEqual([token]);

  const expired = signTestToken({ sub: 'u-gated' }, { now: Date.now() - 3_600_000 });
  for (const mode of ['veto', 'verify-every-request', 'redis-denylist', 'express-jwt-jwks'] as const) {
    const response = await request(apps[mode]).get(NO_READ_PATH).set('authorization', `Bearer ${expired}`);
    expect({ mode, status: response.status }).toEqual({ mode, status: 401 });
  }
  for (const mode of OVERHEAD_MODES) {
    const response = await request(apps[mode]).get(NO_READ_PATH);
    expect({ mode, status: response.status }).toEqual({ mode, status: 401 });
  }
});
