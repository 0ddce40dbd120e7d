import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { encodeEnforcementReceipt, receiptSubject, type EnforcementReceipt, type NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import pino from 'pino';
import request from 'supertest';
import { expectProblem, waitFor } from '@veto/test-kit';
import { systemClock } from '../../clock';
import type { EventBus } from '../../data-access/event-bus';
import { registerEnforcementMetrics } from '../../domain/enforcement-metrics';
import { startOutboxRelay, type OutboxRelay } from '../../domain/outbox-relay';
import { listenOnFreePort } from '../../test-support/listening-app';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { connectTestBus } from '../../test-support/test-bus';
import { openTestDatabase, selectRows, type TestDatabase } from '../../test-support/test-database';
import { testReceipt } from '../../test-support/test-receipt';
import { createTestUser, type TestUser } from '../../test-support/test-users';
import { subscribeReceipts, type ReceiptsSubscriber } from '../events/receipts-subscriber';

// The enforcement API against a real nats-server: the test publishes receipts on NATS as the
// tickets instances would, the app's subscription feeds its fleet view, and a real relay
// publishes the bans (so they get their stream sequence). The fleet view runs on the test clock.
const logger = pino({ level: 'silent' });
let database: TestDatabase;
let nats: NatsServerHandle;
let publisher: NatsConnection;
let t: TestApp;
let bus: EventBus;
let relay: OutboxRelay;
let receipts: ReceiptsSubscriber;
let handled: number;
let admin: TestUser;
let ada: TestUser;

beforeAll(async () => {
  database = await openTestDatabase();
  nats = await startNatsServer();
  publisher = await connectTo(nats);
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database);
  handled = 0;
  t.fleet.onReceipt(() => {
    handled += 1;
  });
  relay = startOutboxRelay({ db: database.db, publish: (event) => bus.publish(event), isAvailable: () => bus.isAvailable(), clock: systemClock, logger, pollIntervalMs: 20 });
  bus = connectTestBus(nats.url, { onAvailable: () => relay.resync() });
  const metrics = registerEnforcementMetrics(t.metricsRegistry, { db: database.db, fleet: t.fleet, clock: t.clock, behindAfterSeconds: 5 });
  receipts = subscribeReceipts({ bus, fleet: t.fleet, metrics, logger });
  admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
  ada = await createTestUser(t.app, database.db, 'ada@example.com');
  // The subscription is in place once a receipt sent now comes through (a `stopped` one leaves no trace).
  await waitFor('the receipt subscription', async () => {
    publisher.publish(receiptSubject('tickets'), encodeEnforcementReceipt(receipt('probe', { state: 'stopped' })));
    await publisher.flush();
    return handled > 0;
  });
});
afterEach(async () => {
  await relay.stop();
  await receipts.stop();
  await bus.close();
});
afterAll(async () => {
  await publisher.close();
  await nats.cleanup();
  await database.close();
});

const as = (user: TestUser) => ({ Authorization: `Bearer ${user.accessToken}` });

/** A receipt sent now by the test clock. */
function receipt(instanceId: string, fields: Partial<EnforcementReceipt> = {}): EnforcementReceipt {
  return testReceipt(instanceId, { sentAt: new Date(t.clock()).toISOString(), ...fields });
}

/** Publishes receipts on NATS, as instances do, and waits until the app's subscription took them in. */
async function send(...values: EnforcementReceipt[]): Promise<void> {
  const target = handled + values.length;
  for (const value of values) publisher.publish(receiptSubject(value.service), encodeEnforcementReceipt(value));
  await waitFor(`${values.length} receipt(s) handled`, () => handled >= target);
}

/** The published outbox row of an event: what an instance's feed would see. */
async function publishedEvent(eventId: string): Promise<{ streamSeq: number; occurredAt: string; type: 'user.banned' }> {
  let row: { stream_seq: string | null; payload: { occurredAt: string; type: 'user.banned' } } | undefined;
  await waitFor(`event ${eventId} published`, async () => {
    [row] = await selectRows(database.db, sql`SELECT stream_seq, payload FROM outbox WHERE id = ${eventId} AND published_at IS NOT NULL`);
    return row !== undefined;
  });
  return { streamSeq: Number(row!.stream_seq), occurredAt: row!.payload.occurredAt, type: row!.payload.type };
}

function appliedEntry(eventId: string, event: { streamSeq: number; occurredAt: string; type: 'user.banned' }, afterMs: number, live = true) {
  return { eventId, seq: event.streamSeq, type: event.type, occurredAt: event.occurredAt, appliedAt: new Date(Date.parse(event.occurredAt) + afterMs).toISOString(), live };
}

function ban(user: TestUser, query = ''): request.Test {
  return request(t.app).post(`/api/admin/users/${user.id}/ban${query}`).set(as(admin)).send({ reason: 'fraud' });
}

describe('GET /api/admin/instances', () => {
  it('lists the instances whose receipts arrived on NATS, with state, lag and expiry', async () => {
    await send(receipt('host-b', { state: 'degraded', reason: 'disconnected', lastSeq: 3, intervalMs: 2000 }), receipt('host-a', { lastSeq: 4, lagMs: 3.5 }));
    const res = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    const now = t.clock();
    expect(res.body).toEqual({
      instances: [
        {
          service: 'tickets',
          instanceId: 'host-a',
          state: 'ready',
          reason: null,
          lastSeq: 4,
          lastEventId: null,
          lastAppliedAt: null,
          lagMs: 3.5,
          lastSeenAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 3000).toISOString(),
        },
        {
          service: 'tickets',
          instanceId: 'host-b',
          state: 'degraded',
          reason: 'disconnected',
          lastSeq: 3,
          lastEventId: null,
          lastAppliedAt: null,
          lagMs: null,
          lastSeenAt: new Date(now).toISOString(),
          expiresAt: new Date(now + 6000).toISOString(),
        },
      ],
      checkedAt: new Date(now).toISOString(),
    });
  });

  it('forgets an instance three heartbeat intervals after its last receipt (by the injected clock)', async () => {
    await send(receipt('host-a'), receipt('host-b', { intervalMs: 5000 }));
    t.clock.advance(2999);
    const before = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    expect(before.body.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['host-a', 'host-b']);
    t.clock.advance(1);
    const after = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    expect(after.body.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['host-b']);
  });

  it('a heartbeat extends the expiry from the time it arrives', async () => {
    await send(receipt('host-a'));
    t.clock.advance(2500);
    await send(receipt('host-a'));
    t.clock.advance(2500);
    const res = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    expect(res.body.instances).toEqual([expect.objectContaining({ instanceId: 'host-a' })]);
  });

  it('removes an instance at once on its stopped receipt', async () => {
    await send(receipt('host-a'), receipt('host-b'));
    await send(receipt('host-a', { state: 'stopped' }));
    const res = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    expect(res.body.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['host-b']);
  });

  it('ignores a malformed receipt, counts it, and keeps taking valid ones', async () => {
    publisher.publish(receiptSubject('tickets'), new TextEncoder().encode('{"v":1,"service":"tickets"'));
    publisher.publish(receiptSubject('tickets'), new TextEncoder().encode(JSON.stringify({ ...receipt('host-x'), lastSeq: -1 })));
    await send(receipt('host-a'));
    const res = await request(t.app).get('/api/admin/instances').set(as(admin)).expect(200);
    expect(res.body.instances.map((i: { instanceId: string }) => i.instanceId)).toEqual(['host-a']);
    const metrics = await t.metricsRegistry.getSingleMetricAsString('veto_enforcement_receipts_total');
    expect(metrics).toContain('veto_enforcement_receipts_total{outcome="malformed"} 2');
  });
});

describe('GET /api/admin/events/:eventId/enforcement', () => {
  it('shows which live instances applied a real ban, when (afterMs), and which are missing', async () => {
    const { eventId } = (await ban(ada).expect(200)).body as { eventId: string };
    const event = await publishedEvent(eventId);
    await send(
      receipt('host-a', { lastSeq: event.streamSeq, lastEventId: eventId, applied: [appliedEntry(eventId, event, 12.5)] }),
      receipt('host-b', { state: 'degraded', reason: 'disconnected', lastSeq: event.streamSeq - 1 }),
    );
    const res = await request(t.app).get(`/api/admin/events/${eventId}/enforcement`).set(as(admin)).expect(200);
    const now = new Date(t.clock()).toISOString();
    expect(res.body).toEqual({
      eventId,
      type: 'user.banned',
      userId: ada.id,
      occurredAt: event.occurredAt,
      published: true,
      streamSeq: event.streamSeq,
      enforcedEverywhere: false,
      instances: { total: 2, enforced: 1 },
      enforced: [{ service: 'tickets', instanceId: 'host-a', appliedAt: appliedEntry(eventId, event, 12.5).appliedAt, afterMs: 12 }],
      missing: [{ service: 'tickets', instanceId: 'host-b', state: 'degraded', reason: 'disconnected', lastSeq: event.streamSeq - 1, lastSeenAt: now }],
      checkedAt: now,
    });
  });

  it('counts an instance past the event’s stream sequence as enforced, with an unknown time', async () => {
    const { eventId } = (await ban(ada).expect(200)).body as { eventId: string };
    const event = await publishedEvent(eventId);
    await send(receipt('host-a', { lastSeq: event.streamSeq + 3 }));
    const res = await request(t.app).get(`/api/admin/events/${eventId}/enforcement`).set(as(admin)).expect(200);
    expect(res.body).toMatchObject({
      enforcedEverywhere: true,
      instances: { total: 1, enforced: 1 },
      enforced: [{ instanceId: 'host-a', appliedAt: null, afterMs: null }],
      missing: [],
    });
  });

  it('drops an expired instance from missing, and a stopped one at once', async () => {
    const { eventId } = (await ban(ada).expect(200)).body as { eventId: string };
    await publishedEvent(eventId);
    await send(receipt('host-a', { intervalMs: 1000 }), receipt('host-b', { intervalMs: 60_000 }));
    const missing = async () =>
      ((await request(t.app).get(`/api/admin/events/${eventId}/enforcement`).set(as(admin)).expect(200)).body as { missing: { instanceId: string }[] }).missing.map(
        (m) => m.instanceId,
      );
    expect(await missing()).toEqual(['host-a', 'host-b']);
    t.clock.advance(3000);
    expect(await missing()).toEqual(['host-b']);
    await send(receipt('host-b', { state: 'stopped' }));
    const res = await request(t.app).get(`/api/admin/events/${eventId}/enforcement`).set(as(admin)).expect(200);
    expect(res.body).toMatchObject({ enforcedEverywhere: true, instances: { total: 0, enforced: 0 }, missing: [] });
  });

  it('answers 404 EVENT_NOT_FOUND for an id the outbox does not hold, 400 VALIDATION_FAILED for a non-uuid', async () => {
    expectProblem(await request(t.app).get(`/api/admin/events/${randomUUID()}/enforcement`).set(as(admin)), 404, 'EVENT_NOT_FOUND');
    const bad = await request(t.app).get('/api/admin/events/42/enforcement').set(as(admin));
    expectProblem(bad, 400, 'VALIDATION_FAILED');
    expect(bad.body.errors).toEqual([{ field: 'eventId', message: expect.any(String) }]);
  });
});

describe('?wait=enforced on ban, unban and revoke-sessions', () => {
  it('answers once the receipt arrives during the wait: enforcedEverywhere, not timed out', async () => {
    await send(receipt('host-a'), receipt('host-b'));
    const answer = ban(ada, '?wait=enforced&timeoutMs=30000').then((res) => res);
    // The ban commits and waits; meanwhile the test plays both instances applying it.
    let eventId: string | undefined;
    await waitFor('the ban committed', async () => {
      const [row] = await selectRows<{ id: string }>(database.db, sql`SELECT id FROM outbox WHERE type = 'user.banned'`);
      eventId = row?.id;
      return eventId !== undefined;
    });
    const event = await publishedEvent(eventId!);
    await send(receipt('host-a', { lastSeq: event.streamSeq, applied: [appliedEntry(eventId!, event, 4)] }));
    await send(receipt('host-b', { lastSeq: event.streamSeq, applied: [appliedEntry(eventId!, event, 7)] }));
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      user: { id: ada.id, banReason: 'fraud' },
      eventId,
      timedOut: false,
      waitedMs: expect.any(Number),
      enforcement: { eventId, enforcedEverywhere: true, instances: { total: 2, enforced: 2 }, missing: [] },
    });
    expect(res.body.enforcement.enforced.map((e: { afterMs: number }) => e.afterMs)).toEqual([4, 7]);
  });

  it('answers 200 with timedOut and the missing instance when no receipt comes', async () => {
    await send(receipt('host-a', { intervalMs: 3_600_000 }));
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/sessions/revoke?wait=enforced&timeoutMs=50`).set(as(admin)).expect(200);
    expect(res.body).toMatchObject({
      eventId: expect.any(String),
      timedOut: true,
      enforcement: {
        type: 'user.sessions_revoked',
        userId: ada.id,
        enforcedEverywhere: false,
        instances: { total: 1, enforced: 0 },
        missing: [{ instanceId: 'host-a', state: 'ready' }],
      },
    });
  });

  it('ends the wait when the client goes away', async () => {
    await send(receipt('host-a', { intervalMs: 3_600_000 }));
    // Count the waits listening to the fleet view: the one of the request must end when its client leaves.
    let listening = 0;
    const onReceipt = t.fleet.onReceipt.bind(t.fleet);
    t.fleet.onReceipt = (listener) => {
      listening += 1;
      const off = onReceipt(listener);
      return () => {
        listening -= 1;
        return off();
      };
    };
    const served = await listenOnFreePort(t.app);
    try {
      const client = new AbortController();
      const answer = fetch(`${served.baseUrl}/api/admin/users/${ada.id}/ban?wait=enforced&timeoutMs=30000`, {
        method: 'POST',
        headers: { ...as(admin), 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'fraud' }),
        signal: client.signal,
      }).catch((error: unknown) => error);
      await waitFor('the request waiting', () => listening > 0);
      client.abort();
      await expect(answer).resolves.toMatchObject({ name: 'AbortError' });
      await waitFor('the wait ended', () => listening === 0);
    } finally {
      await served.close();
    }
  });

  it('is vacuously enforced once published when no instance is live', async () => {
    const res = await ban(ada, '?wait=enforced').expect(200);
    expect(res.body).toMatchObject({ timedOut: false, enforcement: { published: true, enforcedEverywhere: true, instances: { total: 0, enforced: 0 } } });
  });

  it('answers enforcement null when the action recorded no event (unban of a user not banned)', async () => {
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/unban?wait=enforced`).set(as(admin)).expect(200);
    expect(res.body).toEqual({ user: expect.objectContaining({ id: ada.id }), eventId: null, enforcement: null, waitedMs: 0, timedOut: false });
  });

  it('answers without waiting and unchanged when wait is absent', async () => {
    await send(receipt('host-a', { intervalMs: 3_600_000 }));
    const res = await ban(ada).expect(200);
    expect(Object.keys(res.body).sort()).toEqual(['eventId', 'user']);
  });

  it.each([
    ['?wait=soon', 'wait'],
    ['?wait=enforced&timeoutMs=0', 'timeoutMs'],
    ['?wait=enforced&timeoutMs=30001', 'timeoutMs'],
    ['?wait=enforced&timeoutMs=fast', 'timeoutMs'],
    ['?timeoutMs=100', 'timeoutMs'],
  ])('refuses %s with 400 VALIDATION_FAILED on %s, before acting', async (query, field) => {
    const res = await ban(ada, query);
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field, message: expect.any(String) }]);
    expect(await selectRows(database.db, sql`SELECT id FROM outbox`)).toEqual([]);
  });
});

describe('enforcement metrics', () => {
  it('observes the commit → applied delay of live entries once per instance and event, and counts instances by state and behind', async () => {
    const { eventId } = (await ban(ada).expect(200)).body as { eventId: string };
    const event = await publishedEvent(eventId);
    const applied = appliedEntry(eventId, event, 20);
    await send(receipt('host-a', { lastSeq: event.streamSeq, applied: [applied] }), receipt('host-a', { lastSeq: event.streamSeq, applied: [applied] }));
    await send(receipt('host-b', { lastSeq: event.streamSeq, applied: [appliedEntry(eventId, event, 30, false)] }));
    await send(receipt('host-c', { state: 'degraded', reason: 'disconnected', lastSeq: event.streamSeq - 1 }));
    const delay = await t.metricsRegistry.getSingleMetricAsString('veto_enforcement_delay_seconds');
    expect(delay).toContain('veto_enforcement_delay_seconds_count{service="tickets",type="user.banned"} 1');
    expect(delay).toContain('veto_enforcement_delay_seconds_sum{service="tickets",type="user.banned"} 0.02');
    const states = await t.metricsRegistry.getSingleMetricAsString('veto_enforcement_instances');
    expect(states).toContain('veto_enforcement_instances{service="tickets",state="ready"} 2');
    expect(states).toContain('veto_enforcement_instances{service="tickets",state="degraded"} 1');
    // The event was published moments ago by the real clock; the behind gauge counts from the injected one.
    t.clock.set(Date.now() + 60_000);
    await send(receipt('host-a', { lastSeq: event.streamSeq }), receipt('host-b', { lastSeq: event.streamSeq }), receipt('host-c', { lastSeq: event.streamSeq - 1 }));
    const behind = await t.metricsRegistry.getSingleMetricAsString('veto_enforcement_instances_behind');
    expect(behind).toContain('veto_enforcement_instances_behind{service="tickets"} 1');
  });
});
