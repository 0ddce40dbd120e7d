import { sql } from 'drizzle-orm';
import pino from 'pino';
import { ensureStreams, EventPublisher, type VetoEvent } from '@veto/events';
import { connectTo, nextReconnect, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import { systemClock } from '../clock';
import type { EventBus } from '../data-access/event-bus';
import { OUTBOX_LEASE_MS } from '../data-access/outbox-repository';
import { openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import { readAuthStream } from '../test-support/read-auth-stream';
import { connectTestBus } from '../test-support/test-bus';
import { startOutboxRelay, type OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
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

/**
 * A relay publishing through the real event bus, wired as in main.ts (stream check on every
 * (re)connection); `published` lists acknowledged publishes, `lines` what it logged.
 */
function startRelay(
  clock: () => number = systemClock,
  extra: Partial<OutboxRelayOptions> = {},
): { relay: OutboxRelay; bus: EventBus; published: VetoEvent[]; lines: Record<string, unknown>[]; checks: boolean[] } {
  const published: VetoEvent[] = [];
  const checks: boolean[] = [];
  const lines: Record<string, unknown>[] = [];
  const recording = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const relay = startOutboxRelay({
    db: database.db,
    publish: async (event) => {
      const result = await bus.publish(event);
      published.push(event);
      return result;
    },
    isAvailable: () => bus.isAvailable(),
    streamHolds: async (anchor) => {
      const holds = await bus.holds(anchor);
      checks.push(holds);
      return holds;
    },
    clock,
    logger: recording,
    initialBackoffMs: 20,
    maxBackoffMs: 200,
    ...extra,
  });
  const bus = connectTestBus(nats.url, { onAvailable: () => relay.resync() });
  buses.push(bus);
  running.push(relay);
  return { relay, bus, published, lines, checks };
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

const outboxState = () => selectRows<OutboxState>(database.db, sql`SELECT id, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY created_at, id`);

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

/** The event ids the AUTH stream holds, in stream order. */
async function streamIds(): Promise<(string | undefined)[]> {
  const nc = await connectTo(nats);
  try {
    return (await readAuthStream(nc)).map((message) => message.msgId);
  } finally {
    await nc.close();
  }
}

/** Deletes the AUTH stream behind the relay's back, as an operator would; `recreate` as a consumer with MANAGE_STREAMS=true would, empty. */
async function deleteAuthStream(recreate: boolean): Promise<void> {
  const nc = await connectTo(nats);
  try {
    await nc.request('$JS.API.STREAM.DELETE.AUTH');
    if (recreate) {
      await ensureStreams(nc);
    }
  } finally {
    await nc.close();
  }
}

const ids = (events: readonly VetoEvent[]) => events.map((event) => event.id);
const resetLines = (lines: readonly Record<string, unknown>[]) => lines.filter((line) => String(line.msg).includes('lost published events'));

describe('the outbox relay after the AUTH stream is lost', () => {
  it('rebuilds it when NATS comes back with an empty store: the retention window in order, then the events written meanwhile', async () => {
    const { relay, bus, lines } = startRelay();
    await bus.available;
    const [stale] = await recordBans(1);
    relay.wake(stale === undefined ? [] : [stale]);
    await relay.idle();
    // Older than the retention window (25 min by default): no token it revokes can still be valid.
    await database.db.execute(sql`UPDATE outbox SET created_at = created_at - interval '1 hour', published_at = published_at - interval '1 hour' WHERE id = ${stale?.id}`);
    const before = await recordBans(3);
    relay.wake(before);
    await relay.idle();

    await nats.stop();
    await waitFor('the relay to notice the bus is down', () => !bus.isAvailable());
    const meanwhile = await recordBans(2);
    relay.wake(meanwhile);
    await relay.idle();
    await nats.restart({ emptyStore: true });

    await waitFor('every row published again', async () => relay.stats.streamResets === 1 && (await outboxState()).every((row) => row.published));
    expect(await streamIds()).toEqual([...ids(before), ...ids(meanwhile)]);
    expect(relay.stats).toMatchObject({ streamResets: 1, republished: 3 });
    expect(resetLines(lines)).toEqual([expect.objectContaining({ level: 40, republished: 3 })]);
  });

  it('republishes nothing after NATS restarts with its store: the stream still holds the event acknowledged last', async () => {
    const { relay, bus, checks } = startRelay();
    await bus.available;
    const before = await recordBans(3);
    relay.wake(before);
    await relay.idle();
    const checksBefore = checks.length;

    await nats.restart();
    await waitFor('the bus back', () => bus.isAvailable());
    const after = await recordBans(1);
    relay.wake(after);
    await relay.idle();

    expect(checks.slice(checksBefore)).toEqual([true]);
    expect(relay.stats).toMatchObject({ streamResets: 0, republished: 0 });
    expect(await streamIds()).toEqual([...ids(before), ...ids(after)]);
  });

  it('recreates the stream and rebuilds it when a publish finds no stream (deleted while connected)', async () => {
    const { relay, bus } = startRelay();
    await bus.available;
    const before = await recordBans(2);
    relay.wake(before);
    await relay.idle();

    await deleteAuthStream(false);
    const after = await recordBans(1);
    relay.wake(after);

    await waitFor('every row published again', async () => relay.stats.streamResets === 1 && (await outboxState()).every((row) => row.published));
    expect(await streamIds()).toEqual([...ids(before), ...ids(after)]);
    expect(relay.stats.failures).toBeGreaterThan(0);
  });

  it('rebuilds a stream recreated empty by a consumer as soon as a publish is acknowledged at a lower sequence', async () => {
    const { relay, bus, lines } = startRelay(systemClock, { streamCheckIntervalMs: 3_600_000 });
    await bus.available;
    const before = await recordBans(3);
    relay.wake(before);
    await relay.idle();

    await deleteAuthStream(true);
    const after = await recordBans(1);
    relay.wake(after);

    await waitFor('the window published again', () => relay.stats.streamResets === 1);
    await relay.idle();
    // The event that revealed the new stream went in first; the window follows it (its own copy is a duplicate, dropped).
    expect(await streamIds()).toEqual([...ids(after), ...ids(before)]);
    expect(resetLines(lines)).toEqual([expect.objectContaining({ republished: 4, reason: expect.stringContaining('lower') })]);
  });

  it('rebuilds a stream recreated empty while auth publishes nothing, at its periodic check', async () => {
    const { relay, bus } = startRelay(systemClock, { streamCheckIntervalMs: 50, pollIntervalMs: 20 });
    await bus.available;
    const before = await recordBans(2);
    relay.wake(before);
    await relay.idle();

    await deleteAuthStream(true);

    await waitFor('the window published again', () => relay.stats.streamResets === 1);
    expect(await streamIds()).toEqual(ids(before));
  });
  it('still publishes when the stream cannot be checked (JetStream slow, a permission missing), and says so', async () => {
    const { relay, bus } = startRelay();
    await bus.available;
    relay.wake(await recordBans(1));
    await relay.idle();
    const lines: Record<string, unknown>[] = [];
    const blind = startOutboxRelay({
      db: database.db,
      publish: (event) => bus.publish(event),
      streamHolds: () => Promise.reject(new Error('Permissions Violation for Publish to "$JS.API.STREAM.MSG.GET.AUTH"')),
      clock: systemClock,
      logger: pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) }),
    });
    running.push(blind);
    const events = await recordBans(1);
    blind.wake(events);
    await blind.idle();
    expect((await outboxState()).every((row) => row.published)).toBe(true);
    expect(lines.map((line) => line.msg)).toEqual([expect.stringContaining('could not check')]);
  });
});

describe('the outbox relay when an instance dies', () => {
  it('publishes the rows of an instance killed right after its commit within seconds, in order', async () => {
    // Written leased to their instance, which died before publishing them (never woken, never stopped).
    const events = await recordBans(60);
    const diedAt = Date.now();
    const { bus, published } = startRelay();
    await bus.available;
    const readyAt = Date.now();
    await waitFor('every row published by the surviving relay', async () => (await outboxState()).every((row) => row.published));
    const doneAt = Date.now();
    console.info(`rows of a dead instance: published ${doneAt - diedAt} ms after its death, ${doneAt - readyAt} ms after the relay was ready (lease ${OUTBOX_LEASE_MS} ms)`);
    expect(ids(published)).toEqual(ids(events));
  });

  it('keeps the rows it holds from other relays while it is alive, however long the publish takes (the lease is renewed)', async () => {
    let releasePublish: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      releasePublish = resolve;
    });
    const slow = startRelay(systemClock, {});
    await slow.bus.available;
    const stuck = startOutboxRelay({
      db: database.db,
      publish: async (event) => {
        await gate;
        return slow.bus.publish(event);
      },
      clock: systemClock,
      logger,
    });
    running.push(stuck);
    const events = await recordBans(1);
    stuck.wake(events);
    const leasedUntil = async () => new Date((await selectRows<{ until: Date | string }>(database.db, sql`SELECT locked_until AS until FROM outbox`))[0]?.until ?? 0).getTime();
    try {
      const firstLease = await leasedUntil();
      // Renewed to end past the first lease's end plus a lease, so the first lease is over: a relay that stopped renewing would have lost the row.
      await waitFor('the lease renewed past its first end', async () => (await leasedUntil()) > firstLease + OUTBOX_LEASE_MS, 30_000);
      await slow.relay.idle();
      expect(slow.published).toEqual([]);
    } finally {
      releasePublish();
    }
    await stuck.idle();
    expect(await streamIds()).toEqual(ids(events));
  });
});

describe('the outbox relay retention', () => {
  it('purges published rows older than the retention, periodically, and keeps recent and pending ones', async () => {
    const events = await recordBans(3);
    const [old, recent, pending] = events;
    await database.db.execute(sql`UPDATE outbox SET published_at = now() - interval '2 hours', stream_seq = 1 WHERE id = ${old?.id}`);
    await database.db.execute(sql`UPDATE outbox SET published_at = now(), stream_seq = 2 WHERE id = ${recent?.id}`);
    await database.db.execute(sql`UPDATE outbox SET created_at = created_at - interval '2 hours' WHERE id = ${pending?.id}`);
    const relay = startOutboxRelay({
      db: database.db,
      publish: () => new Promise(() => undefined),
      isAvailable: () => false,
      clock: systemClock,
      logger,
      retentionMs: 3_600_000,
      purgeIntervalMs: 20,
    });
    running.push(relay);
    await waitFor('the old row purged', () => relay.stats.purged === 1);
    expect((await outboxState()).map((row) => row.id).sort()).toEqual([recent?.id, pending?.id].sort());
  });
});
