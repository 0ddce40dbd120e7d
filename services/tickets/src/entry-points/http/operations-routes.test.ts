import { randomUUID } from 'node:crypto';
import { ensureStreams, type NatsConnection } from '@veto/events';
import { connectTo, eventually, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import request from 'supertest';
import { createTestApp, tokenFor, type TestApp } from '../../test-support/test-app';
import { createTestBus, type TestBus } from '../../test-support/test-bus';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../../test-support/test-database';
import { pauseNatsServer } from '../../test-support/pause-process';

let server: NatsServerHandle;
let nc: NatsConnection;
let database: TicketsTestDatabase;
let bus: TestBus;
const apps: TestApp[] = [];

beforeAll(async () => {
  [server, database] = await Promise.all([startNatsServer(), openTicketsTestDatabase()]);
  nc = await connectTo(server);
});
beforeEach(async () => {
  bus = await createTestBus(nc);
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((testApp) => testApp.stop()));
});
afterAll(async () => {
  await nc.close();
  await Promise.all([server.cleanup(), database.close()]);
});

function startApp(db: TicketsTestDatabase = database): TestApp {
  const testApp = createTestApp({ database: db, nc, streams: bus });
  apps.push(testApp);
  return testApp;
}

it('answers /healthz with 200 while the revocation feed is still replaying', async () => {
  const resume = pauseNatsServer(server.storeDir);
  try {
    const { app } = startApp();
    await request(app).get('/healthz').expect(200, { status: 'ok' });
  } finally {
    resume();
  }
});

it('answers /readyz and protected routes with 503 until the revocation feed caught up, then serves them', async () => {
  const userId = randomUUID();
  await bus.publish('user.banned', { userId: randomUUID(), revokedAt: new Date().toISOString() });
  // A frozen server cannot answer the feed's replay, so the instance is certainly still catching up.
  const resume = pauseNatsServer(server.storeDir);
  let testApp: TestApp;
  try {
    testApp = startApp();
    const notReady = await request(testApp.app).get('/readyz').expect(503);
    expect(notReady.body).toEqual({ status: 'unavailable', checks: { database: 'up', revocations: 'catching-up' } });
    const refused = await request(testApp.app)
      .get('/api/tickets')
      .set('authorization', `Bearer ${tokenFor(userId)}`)
      .expect(503);
    expect(JSON.parse(refused.text)).toMatchObject({ code: 'REVOCATION_NOT_READY' });
    expect(refused.headers['retry-after']).toBe('1');
  } finally {
    resume();
  }
  await testApp.feed.ready;
  await request(testApp.app)
    .get('/readyz')
    .expect(200, { status: 'ready', checks: { database: 'up', revocations: 'ready' } });
  await request(testApp.app)
    .get('/api/tickets')
    .set('authorization', `Bearer ${tokenFor(userId)}`)
    .expect(200);
});

it('answers /readyz with 503 when the database does not answer, though the feed is ready', async () => {
  const gone = await openTicketsTestDatabase();
  await gone.close();
  const testApp = startApp(gone);
  await testApp.feed.ready;
  await request(testApp.app)
    .get('/readyz')
    .expect(503, { status: 'unavailable', checks: { database: 'down', revocations: 'ready' } });
});

it('answers /readyz with 503 and the reason once its revocation stream has been missing for longer than the grace, and 200 again after the rebuild', async () => {
  const testApp = startApp();
  await testApp.feed.ready;
  await nc.request(`$JS.API.STREAM.DELETE.${bus.stream}`);

  await eventually(() =>
    request(testApp.app)
      .get('/readyz')
      .expect(503, { status: 'unavailable', checks: { database: 'up', revocations: 'degraded', reason: 'stream-missing' } }),
  );
  // The auth service creates its streams again at start; the next ban is sequence 1 of the new stream.
  await ensureStreams(nc, { name: bus.stream, subjectPrefix: bus.subjectPrefix, deadLetterStream: bus.deadLetterStream, deadLetterPrefix: bus.deadLetterPrefix });
  await bus.publish('user.banned', { userId: randomUUID(), revokedAt: new Date().toISOString() });
  await eventually(() =>
    request(testApp.app)
      .get('/readyz')
      .expect(200, { status: 'ready', checks: { database: 'up', revocations: 'ready' } }),
  );
  expect(testApp.feed.stats.resets).toBe(1);
});

it('answers /readyz with 503 while the revocation feed stalls after a NATS restart (JetStream not answering yet), and 200 once it follows again', async () => {
  const testApp = startApp();
  await testApp.feed.ready;

  const restarted = server.restart({ kill: true, withoutJetStreamForMs: 8_000 });
  try {
    await eventually(() =>
      request(testApp.app)
        .get('/readyz')
        .expect(503, { status: 'unavailable', checks: { database: 'up', revocations: 'degraded', reason: 'reconnecting' } }),
    );
  } finally {
    await restarted;
  }
  // The feed's own state, not only /readyz: within its 1 s grace /readyz still says 200 while the
  // connection is down again after the second restart.
  await eventually(async () => {
    expect([testApp.feed.state, testApp.feed.reason]).toEqual(['ready', undefined]);
    await request(testApp.app).get('/readyz').expect(200);
  }, 60_000);
}, 120_000);

it('exposes HTTP and revocation metrics in Prometheus format', async () => {
  const testApp = startApp();
  await testApp.feed.ready;
  await request(testApp.app)
    .get('/api/tickets')
    .set('authorization', `Bearer ${tokenFor(randomUUID())}`)
    .expect(200);
  const res = await request(testApp.app).get('/metrics').expect(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  for (const name of [
    'http_request_duration_seconds_bucket{le="0.001",method="GET",route="/api/tickets/",status_code="200"}',
    'veto_auth_revocation_propagation_lag_seconds_bucket',
    'veto_auth_revocation_cache_entries',
    'veto_auth_verification_cache_hits_total',
    'veto_auth_verification_cache_misses_total 1',
    'veto_auth_revocation_feed_state{state="ready"} 1',
  ]) {
    expect(res.text).toContain(name);
  }
});
