import { randomUUID } from 'node:crypto';
import { createEvent, type NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { SignalsDatabase } from '../../data-access/database';
import { countAllPending } from '../../data-access/delivery-repository';
import { storeSecurityEvents, type FanOutContext } from '../../domain/delivery-fan-out';
import { createDeliveryMetrics, type DeliveryMetrics } from '../../domain/delivery-metrics';
import { PendingSignal } from '../../domain/pending-signal';
import { SECURITY_EVENT_TYPES } from '../../domain/security-event-types';
import { insertTestReceiver, insertTestStream, openSignalsTestDatabase, securityEventsOf, TEST_AUDIENCE, type SignalsTestDatabase } from '../../test-support/delivery-fixtures';
import { createDeliveryTestBus, type DeliveryTestBus } from '../../test-support/delivery-test-bus';
import { poll, startPollTestServer } from '../../test-support/poll-test-server';
import { TEST_ISSUER } from '../../test-support/test-app';
import { testSigningKey } from '../../test-support/test-keys';
import { startTestReceiver, type TestReceiver } from '../../test-support/test-receiver';
import { startPushWorker } from './push-worker';
import { consumerReadiness, startSecurityEventConsumer, type SecurityEventConsumer, type SecurityEventConsumerOptions } from './security-event-consumer';

const key = testSigningKey();
const logger = pino({ level: 'silent' });
let server: NatsServerHandle;
let nc: NatsConnection;
let database: SignalsTestDatabase;
let receiver: TestReceiver;
let bus: DeliveryTestBus;
let registry: Registry;
let metrics: DeliveryMetrics;
let pending: PendingSignal;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [server, database, receiver] = await Promise.all([startNatsServer(), openSignalsTestDatabase(), startTestReceiver({ key, issuer: TEST_ISSUER, audience: TEST_AUDIENCE })]);
  nc = await connectTo(server);
});
beforeEach(async () => {
  await database.reset();
  bus = await createDeliveryTestBus(nc);
  registry = new Registry();
  metrics = createDeliveryMetrics(registry, () => countAllPending(database.db));
  pending = new PendingSignal();
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
afterAll(async () => {
  await nc.close();
  await Promise.all([server.cleanup(), database.close(), receiver.stop()]);
});

function fanOutContext(overrides: Partial<FanOutContext> = {}): FanOutContext {
  return { db: database.db, key, issuer: TEST_ISSUER, subjectIssuer: 'veto-auth', clock: Date.now, pausedMaxEvents: 1000, ...overrides };
}

function startConsumer(overrides: Partial<SecurityEventConsumerOptions> = {}): SecurityEventConsumer {
  const consumer = startSecurityEventConsumer({
    nc,
    context: fanOutContext(),
    pending,
    metrics,
    logger,
    stream: bus.stream,
    subjectPrefix: bus.subjectPrefix,
    deadLetterPrefix: bus.deadLetterPrefix,
    backoffMs: [10],
    ...overrides,
  });
  stops.push(() => consumer.stop());
  return consumer;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

const ban = (userId = randomUUID()) => bus.publish('user.banned', { userId, reason: 'fraud', revokedAt: new Date().toISOString() });

async function newStream(overrides: Parameters<typeof insertTestStream>[2] = {}) {
  const { id } = await insertTestReceiver(database.db);
  return insertTestStream(database.db, id, overrides);
}

describe('startSecurityEventConsumer', () => {
  it('turns a ban into one SET per subscribed enabled stream, pushed and verified with jose against the JWKS', async () => {
    const push = await newStream({ endpointUrl: receiver.endpointUrl });
    const polled = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const other = await newStream({ eventsDelivered: [SECURITY_EVENT_TYPES.sessionRevoked] });
    const disabled = await newStream({ status: 'disabled' });
    const worker = startPushWorker({
      db: database.db,
      pending,
      metrics,
      logger,
      clock: Date.now,
      fetch,
      maxAttempts: 3,
      backoff: { baseMs: 5, maxMs: 20 },
      timeoutMs: 10_000,
      concurrency: 2,
      scanIntervalMs: 60_000,
    });
    stops.push(() => worker.stop());
    const consumer = startConsumer();
    // Its durable consumer is set up asynchronously: not ready before (a NATS request in flight).
    expect(consumer.state).toBe('starting');
    const event = await ban();
    await waitFor('the push SET delivered', async () => (await securityEventsOf(database.db, push.id))[0]?.state === 'delivered');
    const [pushed] = await securityEventsOf(database.db, push.id);
    const accepted = (await receiver.log()).accepted.find((claims) => claims.jti === pushed?.jti);
    expect(accepted).toMatchObject({
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      txn: event.id,
      sub_id: { format: 'iss_sub', iss: 'veto-auth', sub: event.data.userId },
      events: { [SECURITY_EVENT_TYPES.accountDisabled]: { reason_admin: { en: 'fraud' } } },
    });
    expect(await securityEventsOf(database.db, polled.id)).toEqual([
      expect.objectContaining({ state: 'pending', sourceId: event.id, eventType: SECURITY_EVENT_TYPES.accountDisabled }),
    ]);
    expect(await securityEventsOf(database.db, other.id)).toEqual([]);
    expect(await securityEventsOf(database.db, disabled.id)).toEqual([]);
    expect(await metric('veto_signals_sets_written_total', { event_type: SECURITY_EVENT_TYPES.accountDisabled })).toBe(2);
    expect(await metric('veto_signals_sets_pending')).toBe(1);
    expect(consumer.stats.acked).toBe(1);
    expect(consumerReadiness(consumer)).toEqual({ ready: true, state: 'running' });
  });

  it('is not ready while its durable consumer is not set up: starting, then running', () => {
    expect(consumerReadiness({ state: 'starting' })).toEqual({ ready: false, state: 'starting' });
    expect(consumerReadiness({ state: 'running' })).toEqual({ ready: true, state: 'running' });
  });

  it('keeps the first SET of an event committed before a crash, when the event is redelivered: same jti, no second row', async () => {
    const stream = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const event = createEvent('user.banned', { userId: randomUUID(), revokedAt: new Date().toISOString() }, { source: 'auth' });
    // What a consumer that crashed after its commit, before its ack, left behind: the event comes again.
    await storeSecurityEvents(fanOutContext({ clock: () => Date.UTC(2026, 0, 1) }), event);
    const [first] = await securityEventsOf(database.db, stream.id);
    const consumer = startConsumer();
    await bus.publishEvent(event);
    await waitFor('the redelivery handled', () => consumer.stats.acked === 1);
    // The row of the first commit, untouched: its jti, its token, its time.
    expect(await securityEventsOf(database.db, stream.id)).toEqual([first]);
    expect(first?.createdAt).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(await metric('veto_signals_sets_written_total', { event_type: SECURITY_EVENT_TYPES.accountDisabled })).toBe(0);
  });

  it('redelivers an event committed by a consumer that died before its ack: same jti, no second row', async () => {
    const stream = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const doomed = await connectTo(server);
    // The first consumer's connection dies right after its transaction committed, before the ack goes out.
    const dying = new Proxy(database.db, {
      get(target, property, receiverObject) {
        if (property !== 'transaction') return Reflect.get(target, property, receiverObject) as unknown;
        return async (...args: Parameters<SignalsDatabase['transaction']>) => {
          const result = await target.transaction(...args);
          await doomed.close();
          return result;
        };
      },
    }) as SignalsDatabase;
    const first = startSecurityEventConsumer({
      nc: doomed,
      context: fanOutContext({ db: dying }),
      pending,
      metrics,
      logger,
      stream: bus.stream,
      subjectPrefix: bus.subjectPrefix,
      deadLetterPrefix: bus.deadLetterPrefix,
      ackWaitMs: 500,
    });
    const event = await ban();
    await waitFor('the first commit', async () => (await securityEventsOf(database.db, stream.id)).length === 1);
    await first.closed.catch(() => undefined);
    const [committed] = await securityEventsOf(database.db, stream.id);
    const second = startConsumer({ ackWaitMs: 500 });
    await waitFor('the redelivered event acknowledged', () => second.stats.acked === 1);
    expect(second.stats.delivered).toBe(1);
    expect(await securityEventsOf(database.db, stream.id)).toEqual([committed]);
    expect(committed?.sourceId).toBe(event.id);
  });

  it('redelivers an event whose SETs could not be committed, and stores them then (never acked before the commit)', async () => {
    const stream = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    let failures = 1;
    const flaky = new Proxy(database.db, {
      get(target, property, receiverObject) {
        if (property === 'transaction' && failures > 0) {
          failures--;
          return () => Promise.reject(new Error('connection reset during commit'));
        }
        return Reflect.get(target, property, receiverObject) as unknown;
      },
    }) as SignalsDatabase;
    const consumer = startConsumer({ context: fanOutContext({ db: flaky }) });
    const event = await ban();
    await waitFor('the SET stored on redelivery', async () => (await securityEventsOf(database.db, stream.id)).length === 1);
    expect((await securityEventsOf(database.db, stream.id))[0]?.sourceId).toBe(event.id);
    expect(consumer.stats).toMatchObject({ retried: 1, acked: 1 });
  });

  it('resumes where it left off after a restart: events published while stopped are stored once, earlier ones not again', async () => {
    const stream = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const first = startConsumer();
    const before = await ban();
    await waitFor('the first event stored', () => first.stats.acked === 1);
    await first.stop();
    const during = await ban();
    const second = startConsumer();
    const after = await ban();
    await waitFor('both later events stored', () => second.stats.acked === 2);
    expect((await securityEventsOf(database.db, stream.id)).map((row) => row.sourceId)).toEqual([before.id, during.id, after.id]);
    expect(second.stats.delivered).toBe(2);
  });

  it('holds at most SIGNALS_PAUSED_MAX_EVENTS SETs for a paused stream (the oldest set aside) and nothing for a disabled one', async () => {
    const paused = await newStream({ status: 'paused' });
    const disabled = await newStream({ status: 'disabled' });
    const consumer = startConsumer({ context: fanOutContext({ pausedMaxEvents: 2 }) });
    const events = [await ban(), await ban(), await ban()];
    await waitFor('three events handled', () => consumer.stats.acked === 3);
    const rows = await securityEventsOf(database.db, paused.id);
    expect(rows.map((row) => [row.sourceId, row.state])).toEqual([
      [events[0]?.id, 'dead'],
      [events[1]?.id, 'pending'],
      [events[2]?.id, 'pending'],
    ]);
    expect(rows[0]?.lastError).toMatch(/^PAUSED_OVERFLOW/);
    expect(await securityEventsOf(database.db, disabled.id)).toEqual([]);
    expect(await metric('veto_signals_sets_dropped_paused_total')).toBe(1);
  });

  it('skips an email-format stream when the event carries no address, without holding up the other streams', async () => {
    const byEmail = await newStream({ subjectFormat: 'email' });
    const byIssSub = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const consumer = startConsumer();
    await ban();
    await waitFor('the event handled', () => consumer.stats.acked === 1);
    expect(await securityEventsOf(database.db, byEmail.id)).toEqual([]);
    expect(await securityEventsOf(database.db, byIssSub.id)).toHaveLength(1);
    expect(await metric('veto_signals_sets_skipped_total', { reason: 'email_unknown' })).toBe(1);
  });

  it('dead-letters an unreadable event and goes on with the next', async () => {
    const stream = await newStream({ deliveryMethod: 'urn:ietf:rfc:8936' });
    const consumer = startConsumer();
    await nc.request(`${bus.subjectPrefix}.user.banned`, new TextEncoder().encode('{"not":"an event"}'));
    const event = await ban();
    await waitFor('the next event stored', async () => (await securityEventsOf(database.db, stream.id)).length === 1);
    await waitFor('the poison dead-lettered', () => consumer.stats.deadLettered === 1);
    expect(consumer.stats.malformed).toBe(1);
    expect((await securityEventsOf(database.db, stream.id))[0]?.sourceId).toBe(event.id);
  });

  it('wakes a long poll when a new event is stored for its stream', async () => {
    const { id: receiverId, credential } = await insertTestReceiver(database.db);
    const stream = await insertTestStream(database.db, receiverId, { deliveryMethod: 'urn:ietf:rfc:8936' });
    let waiting = 0;
    const observed = new (class extends PendingSignal {
      override wait(streamId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
        waiting++;
        return super.wait(streamId, timeoutMs, signal);
      }
    })();
    pending = observed;
    const pollServer = await startPollTestServer({ db: database.db, pending: observed, metrics, clock: Date.now, maxWaitMs: 600_000, maxEvents: 10 });
    stops.push(() => pollServer.close());
    startConsumer({ pending: observed });
    const answer = poll(pollServer.url, credential, stream.id, {});
    await waitFor('the poll waiting', () => waiting === 1);
    const event = await ban();
    const { status, body } = await answer;
    expect(status).toBe(200);
    const [row] = await securityEventsOf(database.db, stream.id);
    expect(row?.sourceId).toBe(event.id);
    expect(body).toEqual({ sets: { [row!.jti]: row!.token }, moreAvailable: false });
  });
});
