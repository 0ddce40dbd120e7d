import { waitFor } from '@veto/test-kit';
import pino from 'pino';
import { Registry } from 'prom-client';
import { countAllPending } from '../../data-access/delivery-repository';
import type { StreamRow } from '../../data-access/schema';
import { createDeliveryMetrics, type DeliveryMetrics } from '../../domain/delivery-metrics';
import { PendingSignal } from '../../domain/pending-signal';
import {
  insertBanSet,
  insertTestReceiver,
  insertTestStream,
  openSignalsTestDatabase,
  securityEventsOf,
  setStreamStatus,
  TEST_AUDIENCE,
  type SignalsTestDatabase,
} from '../../test-support/delivery-fixtures';
import { TEST_ISSUER } from '../../test-support/test-app';
import { testSigningKey } from '../../test-support/test-keys';
import { startTestReceiver, type TestReceiver } from '../../test-support/test-receiver';
import { startPushWorker, type PushWorker, type PushWorkerOptions } from './push-worker';

const key = testSigningKey();
const logger = pino({ level: 'silent' });
let database: SignalsTestDatabase;
let receiver: TestReceiver;
let metrics: DeliveryMetrics;
let registry: Registry;
let pending: PendingSignal;
const workers: PushWorker[] = [];

beforeAll(async () => {
  [database, receiver] = await Promise.all([openSignalsTestDatabase(), startTestReceiver({ key, issuer: TEST_ISSUER, audience: TEST_AUDIENCE })]);
});
beforeEach(async () => {
  await database.reset();
  await receiver.fail(undefined);
  registry = new Registry();
  metrics = createDeliveryMetrics(registry, () => countAllPending(database.db));
  pending = new PendingSignal();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});
afterAll(async () => {
  await Promise.all([receiver.stop(), database.close()]);
});

function startWorker(overrides: Partial<PushWorkerOptions> = {}): PushWorker {
  const worker = startPushWorker({
    db: database.db,
    pending,
    metrics,
    logger,
    clock: Date.now,
    fetch,
    maxAttempts: 100,
    backoff: { baseMs: 5, maxMs: 20 },
    timeoutMs: 10_000,
    concurrency: 4,
    scanIntervalMs: 60_000,
    ...overrides,
  });
  workers.push(worker);
  return worker;
}

async function pushStream(overrides: Partial<StreamRow> = {}): Promise<StreamRow> {
  const { id } = await insertTestReceiver(database.db);
  return insertTestStream(database.db, id, { endpointUrl: receiver.endpointUrl, ...overrides });
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const value = found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

/** The jtis of the receiver's attempts since `from`, consecutive repeats (retries) collapsed. */
async function attemptOrder(from = 0): Promise<(string | undefined)[]> {
  const { attempts } = await receiver.log();
  return attempts.slice(from).reduce<(string | undefined)[]>((order, { jti }) => (order.at(-1) === jti ? order : [...order, jti]), []);
}

const logSize = async () => (await receiver.log()).attempts.length;

describe('startPushWorker', () => {
  it('pushes a pending SET to the receiver, which verifies it with jose and answers 202; the SET is delivered', async () => {
    const stream = await pushStream();
    const { jti, event } = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    const from = await logSize();
    startWorker();
    pending.notify(stream.id);
    await waitFor('the SET delivered', async () => (await securityEventsOf(database.db, stream.id))[0]?.state === 'delivered');
    const { attempts, accepted } = await receiver.log();
    expect(attempts.slice(from)).toEqual([{ jti, status: 202, authorization: null, contentType: 'application/secevent+jwt', accept: 'application/json' }]);
    expect(accepted.at(-1)).toMatchObject({ jti, iss: TEST_ISSUER, aud: TEST_AUDIENCE, txn: event.id });
    const [row] = await securityEventsOf(database.db, stream.id);
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, lastError: null });
    expect(row?.deliveredAt).toBeInstanceOf(Date);
    expect(await metric('veto_signals_sets_pushed_total')).toBe(1);
  });

  it('delivers to a stream created after its last scan when woken', async () => {
    const worker = startWorker();
    const stream = await pushStream();
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    worker.wake();
    await waitFor('the SET delivered', async () => (await securityEventsOf(database.db, stream.id))[0]?.state === 'delivered');
  });

  it('sends the stream authorization_header as Authorization', async () => {
    const guarded = await startTestReceiver({ key, issuer: TEST_ISSUER, audience: TEST_AUDIENCE, authorization: 'Bearer receiver-secret' });
    try {
      const stream = await pushStream({ endpointUrl: guarded.endpointUrl, authorizationHeader: 'Bearer receiver-secret' });
      await insertBanSet(database.db, stream, key, TEST_ISSUER);
      startWorker();
      await waitFor('the SET delivered', async () => (await securityEventsOf(database.db, stream.id))[0]?.state === 'delivered');
      expect((await guarded.log()).attempts).toEqual([expect.objectContaining({ status: 202, authorization: 'Bearer receiver-secret' })]);
    } finally {
      await guarded.stop();
    }
  });

  it('keeps the order of a stream while the receiver fails, then delivers every SET once it recovers', async () => {
    await receiver.fail({ status: 503 });
    const stream = await pushStream();
    const jtis: string[] = [];
    for (let i = 0; i < 3; i++) jtis.push((await insertBanSet(database.db, stream, key, TEST_ISSUER)).jti);
    const from = await logSize();
    startWorker();
    await waitFor('several failed attempts', async () => (await logSize()) - from >= 4);
    const during = await securityEventsOf(database.db, stream.id);
    expect(during.map((row) => row.state)).toEqual(['pending', 'pending', 'pending']);
    expect(during[0]?.attempts).toBeGreaterThanOrEqual(2);
    expect(during[0]?.lastError).toBe('HTTP 503');
    // Head of line: nothing after the first SET was tried while it failed.
    expect(await attemptOrder(from)).toEqual([jtis[0]]);
    await receiver.fail(undefined);
    await waitFor('every SET delivered', async () => (await securityEventsOf(database.db, stream.id)).every((row) => row.state === 'delivered'));
    expect(await attemptOrder(from)).toEqual(jtis);
    expect((await receiver.log()).accepted.slice(-3).map((claims) => claims.jti)).toEqual(jtis);
    expect(await metric('veto_signals_push_failures_total', { reason: 'http_503' })).toBeGreaterThanOrEqual(4);
  });

  it('gives a SET up (dead, last_error kept) after the maximum attempts, and moves on to the next', async () => {
    await receiver.fail({ status: 500, body: { oops: true } });
    const stream = await pushStream();
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    startWorker({ maxAttempts: 3 });
    await waitFor('both SETs dead', async () => (await securityEventsOf(database.db, stream.id)).every((row) => row.state === 'dead'));
    const rows = await securityEventsOf(database.db, stream.id);
    expect(rows.map((row) => [row.attempts, row.lastError])).toEqual([
      [3, 'HTTP 500: {"oops":true}'],
      [3, 'HTTP 500: {"oops":true}'],
    ]);
    expect(await metric('veto_signals_sets_dead_total')).toBe(2);
    expect(await metric('veto_signals_push_failures_total', { reason: 'http_500' })).toBe(6);
  });

  it('gives a SET up at once when the receiver refuses it for good (invalid_audience), and retries invalid_key', async () => {
    const wrongAudience = await pushStream({ aud: 'https://someone-else.example.com' });
    const stream = await pushStream();
    await insertBanSet(database.db, wrongAudience, key, TEST_ISSUER);
    const worker = startWorker();
    await waitFor('the SET dead', async () => (await securityEventsOf(database.db, wrongAudience.id))[0]?.state === 'dead');
    const [row] = await securityEventsOf(database.db, wrongAudience.id);
    expect(row).toMatchObject({ attempts: 1, lastError: expect.stringMatching(/^HTTP 400 invalid_audience/) });
    expect(await metric('veto_signals_push_failures_total', { reason: 'refused_invalid_audience' })).toBe(1);

    await receiver.fail({ status: 400, body: { err: 'invalid_key', description: 'unknown kid' } });
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    pending.notify(stream.id);
    await waitFor('two failed attempts', async () => ((await securityEventsOf(database.db, stream.id))[0]?.attempts ?? 0) >= 2);
    await worker.stop();
    expect((await securityEventsOf(database.db, stream.id))[0]).toMatchObject({ state: 'pending', lastError: 'HTTP 400 invalid_key: unknown kid' });
  });

  it('counts a receiver that does not answer in time as a failed attempt', async () => {
    await receiver.fail({ hang: true });
    const stream = await pushStream();
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    startWorker({ timeoutMs: 100, maxAttempts: 1 });
    await waitFor('the SET dead', async () => (await securityEventsOf(database.db, stream.id))[0]?.state === 'dead');
    expect((await securityEventsOf(database.db, stream.id))[0]?.lastError).toBe('timeout after 100 ms');
    expect(await metric('veto_signals_push_failures_total', { reason: 'timeout' })).toBe(1);
  });

  it('pushes nothing to paused and disabled streams, and delivers a paused stream once enabled', async () => {
    const paused = await pushStream({ status: 'paused' });
    const disabled = await pushStream({ status: 'disabled' });
    const enabled = await pushStream();
    await insertBanSet(database.db, paused, key, TEST_ISSUER);
    await insertBanSet(database.db, disabled, key, TEST_ISSUER);
    await insertBanSet(database.db, enabled, key, TEST_ISSUER);
    startWorker({ scanIntervalMs: 20 });
    await waitFor('the enabled stream delivered', async () => (await securityEventsOf(database.db, enabled.id))[0]?.state === 'delivered');
    expect((await securityEventsOf(database.db, paused.id))[0]).toMatchObject({ state: 'pending', attempts: 0 });
    expect((await securityEventsOf(database.db, disabled.id))[0]).toMatchObject({ state: 'pending', attempts: 0 });
    await setStreamStatus(database.db, paused.id, 'enabled');
    await waitFor('the resumed stream delivered by a periodic scan', async () => (await securityEventsOf(database.db, paused.id))[0]?.state === 'delivered');
    expect((await securityEventsOf(database.db, disabled.id))[0]?.state).toBe('pending');
  });

  it('stops with a request in flight: the SET stays pending and its attempt is not counted', async () => {
    await receiver.fail({ hang: true });
    const stream = await pushStream();
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    const from = await logSize();
    const worker = startWorker();
    await waitFor('the request reached the receiver', async () => (await logSize()) > from);
    await worker.stop();
    expect((await securityEventsOf(database.db, stream.id))[0]).toMatchObject({ state: 'pending', attempts: 0 });
  });
});
