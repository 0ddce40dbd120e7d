import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { VetoEvent } from '@veto/events';
import { connectTo, nextReconnect, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { systemClock } from '../clock';
import { connectEventBus, type EventBus } from '../data-access/event-bus';
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
function startRelay(): { relay: OutboxRelay; bus: EventBus; published: VetoEvent[] } {
  const published: VetoEvent[] = [];
  const relay = startOutboxRelay({
    db: database.db,
    publish: async (event) => {
      const result = await bus.publish(event);
      published.push(event);
      return result;
    },
    clock: systemClock,
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
  it('publishes a committed event to the AUTH stream with Nats-Msg-Id = event id, and marks it published', async () => {
    const { relay, bus } = startRelay();
    await bus.available;
    const [event] = await recordBans(1);
    relay.wake();
    await relay.idle();
    const nc = await connectTo(nats);
    try {
      expect(await readAuthStream(nc)).toEqual([{ seq: 1, subject: 'auth.user.banned', msgId: event?.id, event }]);
    } finally {
      await nc.close();
    }
    expect(await outboxState()).toEqual([{ id: event?.id, published: true, attempts: 0, last_error: null }]);
  });

  it('keeps events written while NATS is down, records the failed attempts, and publishes every one once after it is back', async () => {
    const { relay, bus, published } = startRelay();
    await bus.available;
    const watcher = await connectTo(nats);
    const back = nextReconnect(watcher);
    await nats.stop();
    const events = await recordBans(3);
    relay.wake();
    await waitFor('a failed publish recorded on the first row', async () => ((await outboxState())[0]?.attempts ?? 0) > 0);
    const failed = await outboxState();
    expect(failed.every((row) => !row.published)).toBe(true);
    expect(failed[0]?.last_error).toMatch(/^PUBLISH_FAILED: /);

    await nats.restart();
    await back;
    await relay.idle();
    try {
      const stored = await readAuthStream(watcher);
      expect(stored.map((message) => message.msgId)).toEqual(events.map((event) => event.id));
    } finally {
      await watcher.close();
    }
    expect((await outboxState()).every((row) => row.published)).toBe(true);
    expect(new Set(published.map((event) => event.id)).size).toBe(3);
  });

  it('with two relays on one database, publishes each row exactly once (no duplicate publish, no duplicate message)', async () => {
    const first = startRelay();
    const second = startRelay();
    await Promise.all([first.relay.idle(), second.relay.idle()]);
    const events = await recordBans(200);
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
