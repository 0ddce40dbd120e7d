import { sql } from 'drizzle-orm';
import pino from 'pino';
import { ensureStreams, EventPublisher, type VetoEvent } from '@veto/events';
import { connectTo, nextReconnect, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { systemClock } from '../clock';
import { connectEventBus, type EventBus } from '../data-access/event-bus';
import { OUTBOX_LEASE_MS } from '../data-access/outbox-repository';
import { openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import { readAuthStream } from '../test-support/read-auth-stream';
import { waitFor } from '../test-support/wait-for';
import { startOutboxRelay, type OutboxRelay } from './outbox-relay';
import { recordEvent } from './record-event';

// The relay against a real nats-server (a fresh one per test, so the AUTH stream starts empty)
// and a real database: PGlite, or PostgreSQL when DATABASE_URL is set.
const logger = pino({ level: 'silent' });
let database: TestDatabase;
let nats: NatsServerHandle;
const running: OutboxRelay[] = [];
const buses: EventBus[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  nats = await startNatsServer();
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((relay) => relay.stop()));
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await nats.cleanup();
});
afterAll(() => database.close());

/** A relay publishing through the real event bus; `published` counts acknowledged publishes per relay. */
function startRelay(clock: () => number = systemClock): { relay: OutboxRelay; bus: EventBus; published: VetoEvent[] } {
  const published: VetoEvent[] = [];
  const relay = startOutboxRelay({
    db: database.db,
    publish: async (event) => {
      const result = await bus.publish(event);
      published.push(event);
      return result;
    },
    isAvailable: () => bus.isAvailable(),
    clock,
    logger,
    initialBackoffMs: 20,
    maxBackoffMs: 200,
  });
  const bus = connectEventBus({
    servers: [nats.url],
    stream: {},
    logger,
    onAvailable: () => relay.retryNow(),
    onFatal: (error) => {
      throw error;
    },
  });
  buses.push(bus);
  running.push(relay);
  return { relay, bus, published };
}

async function recordBans(count: number): Promise<VetoEvent[]> {
  return database.db.transaction(async (tx) => {
    const events: VetoEvent[] = [];
    for (let i = 0; i < count; i += 1) {
      const now = new Date(systemClock());
      events.push(await recordEvent(tx, 'user.banned', { userId: `user-${i}`, reason: 'test', revokedAt: now.toISOString() }, now));
    }
    return events;
  });
}

interface OutboxState {
  id: string;
  published: boolean;
  attempts: number;
  last_error: string | null;
}

const outboxState = () =>
  selectRows<OutboxState>(database.db, sql`SELECT id, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY created_at, id`);

describe('the outbox relay', () => {
  it('leaves rows leased to the instance that wrote them alone, and publishes them once the lease has run out', async () => {
    const events = await recordBans(2);
    // Clocks frozen relative to the write: the outcome must not depend on how busy the machine is.
    const writtenAt = Date.parse(events[1]?.occurredAt ?? '');
    const early = startRelay(() => writtenAt);
    await early.bus.available;
    await early.relay.idle();
    expect(early.published).toEqual([]);
    const late = startRelay(() => writtenAt + OUTBOX_LEASE_MS);
    await late.bus.available;
    await late.relay.idle();
    expect(late.published.map((event) => event.id)).toEqual(events.map((event) => event.id));
    expect((await outboxState()).every((row) => row.published && row.attempts === 0)).toBe(true);
  });

  it('logs at debug when committed events reach it, with the time, for the propagation benchmark', async () => {
    const lines: Record<string, unknown>[] = [];
    const debugLogger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const relay = startOutboxRelay({ db: database.db, publish: () => Promise.resolve(), clock: systemClock, logger: debugLogger });
    running.push(relay);
    const events = await recordBans(2);
    const before = performance.timeOrigin + performance.now();
    relay.wake(events);
    await relay.idle();
    const committed = lines.filter((line) => line.msg === 'outbox events committed');
    expect(committed).toEqual([expect.objectContaining({ eventIds: events.map((event) => event.id) })]);
    expect(committed[0]?.committedAt).toBeGreaterThanOrEqual(before);
  });

  it('publishes a committed event to the AUTH stream with Nats-Msg-Id = event id, and marks it published', async () => {
    const { relay, bus } = startRelay();
    await bus.available;
    const [event] = await recordBans(1);
    relay.wake(event === undefined ? [] : [event]);
    await relay.idle();
    const nc = await connectTo(nats);
    try {
      expect(await readAuthStream(nc)).toEqual([{ seq: 1, subject: 'auth.user.banned', msgId: event?.id, event }]);
    } finally {
      await nc.close();
    }
    expect(await outboxState()).toEqual([{ id: event?.id, published: true, attempts: 0, last_error: null }]);
  });

  it('keeps events written while NATS is down and publishes every one, once and in order, after it is back', async () => {
    const { relay, bus, published } = startRelay();
    await bus.available;
    const watcher = await connectTo(nats);
    const back = nextReconnect(watcher);
    await nats.stop();
    await waitFor('the relay to notice the bus is down', () => !bus.isAvailable());
    const events = await recordBans(3);
    relay.wake(events);
    await relay.idle();
    expect((await outboxState()).some((row) => row.published)).toBe(false);

    await nats.restart();
    await back;
    await waitFor('every row published', async () => (await outboxState()).every((row) => row.published));
    try {
      const stored = await readAuthStream(watcher);
      expect(stored.map((message) => message.msgId)).toEqual(events.map((event) => event.id));
    } finally {
      await watcher.close();
    }
    expect(published.map((event) => event.id)).toEqual(events.map((event) => event.id));
  });

  it('records a failed publish on its row (attempts, last_error) and retries it with backoff until JetStream takes it', async () => {
    const nc = await connectTo(nats);
    try {
      await ensureStreams(nc);
      const good = new EventPublisher(nc);
      // A real refusal: no stream captures this prefix, so JetStream has no responder for it.
      const refused = new EventPublisher(nc, { subjectPrefix: 'nowhere', timeoutMs: 500 });
      let refusalsLeft = 2;
      const relay = startOutboxRelay({
        db: database.db,
        publish: (event) => (refusalsLeft-- > 0 ? refused : good).publish(event),
        clock: systemClock,
        logger,
        initialBackoffMs: 20,
        maxBackoffMs: 200,
      });
      running.push(relay);
      const events = await recordBans(1);
      relay.wake(events);
      await waitFor('the row published', async () => (await outboxState())[0]?.published === true);
      const [row] = await outboxState();
      expect(row).toMatchObject({ published: true, attempts: 2, last_error: expect.stringMatching(/^PUBLISH_FAILED: /) });
      expect(relay.stats).toMatchObject({ published: 1, failures: 2, consecutiveFailures: 0 });
      expect((await readAuthStream(nc)).map((message) => message.msgId)).toEqual(events.map((event) => event.id));
    } finally {
      await nc.close();
    }
  });

  it('with two relays on one database, publishes each row exactly once (no duplicate publish, no duplicate message)', async () => {
    const first = startRelay();
    const second = startRelay();
    await Promise.all([first.bus.available, second.bus.available]);
    const events = await recordBans(200);
    // As when the instance that wrote them died: the writer's leases ran out, any relay may claim them.
    await database.db.execute(sql`UPDATE outbox SET locked_until = NULL`);
    first.relay.wake();
    second.relay.wake();
    await Promise.all([first.relay.idle(), second.relay.idle()]);
    const publishedIds = [...first.published, ...second.published].map((event) => event.id);
    expect(publishedIds).toHaveLength(200);
    expect(new Set(publishedIds)).toEqual(new Set(events.map((event) => event.id)));
    const nc = await connectTo(nats);
    try {
      const stored = await readAuthStream(nc);
      expect(stored).toHaveLength(200);
      expect(new Set(stored.map((message) => message.msgId)).size).toBe(200);
    } finally {
      await nc.close();
    }
    expect((await outboxState()).every((row) => row.published)).toBe(true);
  });
});
