import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { selectRows } from '@veto/storage';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import request from 'supertest';
import { waitFor } from '@veto/test-kit';
import { systemClock } from '../../clock';
import { createTestApp, tokenFor, type TestApp } from '../../test-support/test-app';
import { createTestBus, type TestBus } from '../../test-support/test-bus';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../../test-support/test-database';
import { startSellerModerationConsumer, type SellerModerationConsumer, type SellerModerationConsumerOptions } from './seller-moderation-consumer';

let server: NatsServerHandle;
let nc: NatsConnection;
let database: TicketsTestDatabase;
let bus: TestBus;
let testApp: TestApp;
const consumers: SellerModerationConsumer[] = [];
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  [server, database] = await Promise.all([startNatsServer(), openTicketsTestDatabase()]);
  nc = await connectTo(server);
});
beforeEach(async () => {
  await database.reset();
  bus = await createTestBus(nc);
  testApp = createTestApp({ database, nc, streams: bus });
  await testApp.feed.ready;
});
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  await testApp.stop();
});
afterAll(async () => {
  await nc.close();
  await Promise.all([server.cleanup(), database.close()]);
});

function startConsumer(overrides: Partial<SellerModerationConsumerOptions> = {}): SellerModerationConsumer {
  const consumer = startSellerModerationConsumer({
    nc,
    context: { db: database.db, clock: systemClock },
    logger,
    stream: bus.stream,
    subjectPrefix: bus.subjectPrefix,
    deadLetterPrefix: bus.deadLetterPrefix,
    ...overrides,
  });
  consumers.push(consumer);
  return consumer;
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });

async function sellTickets(sellerId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await request(testApp.app)
      .post('/api/tickets')
      .set(as(tokenFor(sellerId)))
      .send({ title: `Ticket ${i}`, price: 1000 + i })
      .expect(201);
    ids.push(res.body.id);
  }
  return ids;
}

async function unlistAsOwner(sellerId: string, id: string): Promise<void> {
  await request(testApp.app)
    .put(`/api/tickets/${id}`)
    .set(as(tokenFor(sellerId)))
    .send({ title: 'Kept back', price: 1, version: 1, listed: false })
    .expect(200);
}

type TicketState = { id: string; listed: boolean; unlisted_reason: string | null; version: number };

function ticketsOf(sellerId: string): Promise<TicketState[]> {
  return selectRows<TicketState>(database.db, sql`SELECT id, listed, unlisted_reason, version FROM tickets WHERE owner_id = ${sellerId} ORDER BY created_at, id`);
}

const acked = (...list: SellerModerationConsumer[]) => list.reduce((sum, consumer) => sum + consumer.stats.acked, 0);

it("rejects a banned seller's token on the tickets API and unlists their tickets", async () => {
  const seller = randomUUID();
  const token = tokenFor(seller, { now: Date.now() - 1000 });
  const [first, second] = await sellTickets(seller, 2);
  const consumer = startConsumer();

  await bus.publish('user.banned', { userId: seller, reason: 'fraud', revokedAt: new Date().toISOString() });

  await waitFor('the feed to apply the ban', () => testApp.feed.stats.applied === 1);
  const refused = await request(testApp.app).get('/api/tickets').set(as(token)).expect(401);
  expect(JSON.parse(refused.text)).toMatchObject({ code: 'TOKEN_REVOKED' });
  await waitFor('the consumer to ack the ban', () => acked(consumer) === 1);
  expect(await ticketsOf(seller)).toEqual([
    { id: first, listed: false, unlisted_reason: 'seller_banned', version: 2 },
    { id: second, listed: false, unlisted_reason: 'seller_banned', version: 2 },
  ]);
  const listing = await request(testApp.app)
    .get('/api/tickets')
    .set(as(tokenFor(randomUUID())))
    .expect(200);
  expect(listing.body.items).toEqual([]);
});

it('relists on unban only the tickets the ban unlisted, not those the owner unlisted', async () => {
  const seller = randomUUID();
  const [forSale, keptBack] = await sellTickets(seller, 2);
  await unlistAsOwner(seller, keptBack as string);
  const consumer = startConsumer();

  await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  await bus.publish('user.unbanned', { userId: seller });
  await waitFor('both events to be acked', () => acked(consumer) === 2);

  expect(await ticketsOf(seller)).toEqual([
    { id: forSale, listed: true, unlisted_reason: null, version: 3 },
    { id: keptBack, listed: false, unlisted_reason: 'owner', version: 2 },
  ]);
  // A token issued after the unban works: the auth service signs new tokens after the watermark.
  await request(testApp.app)
    .get(`/api/tickets/${forSale}`)
    .set(as(tokenFor(seller)))
    .expect(200);
});

it('keeps a ticket the ban unlisted unlisted when its owner asks to list it', async () => {
  const seller = randomUUID();
  const [ticket] = await sellTickets(seller, 1);
  const consumer = startConsumer();
  await bus.publish('user.banned', { userId: seller, revokedAt: new Date(Date.now() - 1).toISOString() });
  await waitFor('the ban to be acked', () => acked(consumer) === 1);

  // Only a token issued after the ban passes the revocation check.
  const res = await request(testApp.app)
    .put(`/api/tickets/${ticket}`)
    .set(as(tokenFor(seller)))
    .send({ title: 'Back', price: 1, version: 2, listed: true })
    .expect(200);
  expect(res.body).toMatchObject({ title: 'Back', listed: false, version: 3 });
});

it('treats duplicate ban events as harmless: tickets change once', async () => {
  const seller = randomUUID();
  const [ticket] = await sellTickets(seller, 1);
  const consumer = startConsumer();
  const occurredAt = new Date();

  const ban = await bus.publish('user.banned', { userId: seller, revokedAt: occurredAt.toISOString() }, occurredAt);
  await bus.publish('user.banned', { userId: seller, revokedAt: occurredAt.toISOString() }, occurredAt);
  await bus.publishEvent(ban); // same id: stored once by JetStream's duplicate window
  await bus.publish('user.sessions_revoked', { userId: seller, revokedAt: occurredAt.toISOString() });
  await waitFor('the three stored events to be acked', () => acked(consumer) === 3);

  expect(await ticketsOf(seller)).toEqual([{ id: ticket, listed: false, unlisted_reason: 'seller_banned', version: 2 }]);
});

it('ignores a ban redelivered after a newer unban', async () => {
  const seller = randomUUID();
  const [ticket] = await sellTickets(seller, 1);
  const consumer = startConsumer();
  const banTime = new Date(Date.now() - 60_000);

  const ban = await bus.publish('user.banned', { userId: seller, revokedAt: banTime.toISOString() }, banTime);
  await bus.publish('user.unbanned', { userId: seller });
  await bus.publishEvent({ ...ban, id: randomUUID() });
  await waitFor('the three events to be acked', () => acked(consumer) === 3);

  expect(await ticketsOf(seller)).toEqual([{ id: ticket, listed: true, unlisted_reason: null, version: 3 }]);
});

it('handles each event once across two instances sharing the service consumer', async () => {
  const sellers = Array.from({ length: 6 }, () => randomUUID());
  for (const seller of sellers) await sellTickets(seller, 1);
  const one = startConsumer({ service: 'tickets' });
  const two = startConsumer({ service: 'tickets' });

  for (const seller of sellers) await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  await waitFor('every ban to be acked', () => acked(one, two) === sellers.length);

  expect(one.stats.delivered + two.stats.delivered).toBe(sellers.length);
  for (const seller of sellers) {
    expect(await ticketsOf(seller)).toEqual([expect.objectContaining({ listed: false, version: 2 })]);
  }
});

/** The real database with `execute` (one statement per batch of moderations) replaced. */
function withExecute(execute: (real: () => Promise<unknown>) => Promise<unknown>): TicketsTestDatabase['db'] {
  const db = database.db;
  return Object.create(db, {
    execute: { value: (...args: Parameters<typeof db.execute>) => execute(() => db.execute(...args)) },
  }) as typeof db;
}

it('applies a burst of bans in a few statements, acking each event after its statement', async () => {
  const sellers = Array.from({ length: 40 }, () => randomUUID());
  for (const seller of sellers) await sellTickets(seller, 1);
  for (const seller of sellers) await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  let statements = 0;
  let committed = 0;
  let ackedBeforeCommit = 0;
  const consumer = startConsumer({
    context: {
      db: withExecute(async (real) => {
        statements += 1;
        // When a statement starts, exactly the events of the statements before it are acked.
        if (consumer.stats.acked !== committed) ackedBeforeCommit += 1;
        const result = await real();
        committed += (result as unknown as { rows: unknown[] }).rows.length;
        return result;
      }),
      clock: systemClock,
    },
  });

  await waitFor('every ban to be acked', () => consumer.stats.acked === sellers.length);
  for (const seller of sellers) {
    expect(await ticketsOf(seller)).toEqual([expect.objectContaining({ listed: false, unlisted_reason: 'seller_banned', version: 2 })]);
  }
  expect(statements).toBeLessThan(sellers.length);
  expect(ackedBeforeCommit).toBe(0);
});

it('gathers the bans arriving within its linger into one statement', async () => {
  const sellers = Array.from({ length: 5 }, () => randomUUID());
  for (const seller of sellers) await sellTickets(seller, 1);
  let statements = 0;
  const consumer = startConsumer({
    context: {
      db: withExecute((real) => {
        statements += 1;
        return real();
      }),
      clock: systemClock,
    },
    lingerMs: 1000,
  });
  // Acked without a statement once its linger is over: the consumer is running.
  await bus.publish('user.sessions_revoked', { userId: randomUUID(), revokedAt: new Date().toISOString() });
  await waitFor('the consumer to take events', () => consumer.stats.acked === 1);

  // One at a time, each after the previous was stored: without the linger, each would be a batch of its own.
  for (const seller of sellers) await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  await waitFor('every ban to be acked', () => consumer.stats.acked === 1 + sellers.length);

  expect(statements).toBe(1);
});

it('rejects a negative linger', () => {
  expect(() => startConsumer({ lingerMs: -1 })).toThrow(TypeError);
});

it('commits and acks the good events of a batch and retries, then dead-letters, the one the database refuses', async () => {
  const good = Array.from({ length: 5 }, () => randomUUID());
  for (const seller of good) await sellTickets(seller, 1);
  // Valid as an event (no whitespace), but PostgreSQL stores no NUL character: the statement fails for it.
  const poison = `seller-${randomUUID()}\u0000`;
  const events = [...good.slice(0, 2), poison, ...good.slice(2)];
  for (const userId of events) await bus.publish('user.banned', { userId, revokedAt: new Date().toISOString() });
  const consumer = startConsumer({
    maxDeliver: 2,
    backoffMs: [0],
  });

  await waitFor('the poison ban to be dead-lettered', () => consumer.stats.deadLettered === 1);
  expect(consumer.stats).toMatchObject({ delivered: events.length + 1, acked: good.length, retried: 1, deadLettered: 1 });
  for (const seller of good) {
    expect(await ticketsOf(seller)).toEqual([expect.objectContaining({ listed: false, unlisted_reason: 'seller_banned', version: 2 })]);
  }
});

it('redelivers the bans of an instance that crashed between commit and ack, and applies them again without a change', async () => {
  const sellers = Array.from({ length: 3 }, () => randomUUID());
  for (const seller of sellers) await sellTickets(seller, 2);
  for (const seller of sellers) await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  const crashingConnection = await connectTo(server);
  let committed = false;
  // Not in `consumers`: its loop never ends, as the process it stands for died.
  const crashing = startSellerModerationConsumer({
    nc: crashingConnection,
    context: {
      db: withExecute(async (real) => {
        await real();
        committed = true;
        return new Promise<never>(() => undefined);
      }),
      clock: systemClock,
    },
    logger,
    stream: bus.stream,
    subjectPrefix: bus.subjectPrefix,
    deadLetterPrefix: bus.deadLetterPrefix,
    ackWaitMs: 1000,
  });
  await waitFor('the batch to be committed', () => committed);
  await crashingConnection.close();
  expect(crashing.stats.acked).toBe(0);
  const unlisted = await Promise.all(sellers.map(ticketsOf));

  const consumer = startConsumer({ ackWaitMs: 1000 });
  await waitFor('the redelivered bans to be acked', () => consumer.stats.acked === sellers.length);
  expect(consumer.stats.delivered).toBe(sellers.length);
  expect(await Promise.all(sellers.map(ticketsOf))).toEqual(unlisted);
  for (const tickets of unlisted) expect(tickets).toEqual([expect.objectContaining({ listed: false, version: 2 }), expect.objectContaining({ listed: false, version: 2 })]);
});

it('loses no ban when an instance crashes before its statement commits', async () => {
  const sellers = Array.from({ length: 3 }, () => randomUUID());
  for (const seller of sellers) await sellTickets(seller, 1);
  for (const seller of sellers) await bus.publish('user.banned', { userId: seller, revokedAt: new Date().toISOString() });
  const crashingConnection = await connectTo(server);
  let started = false;
  startSellerModerationConsumer({
    nc: crashingConnection,
    context: {
      db: withExecute(() => {
        started = true;
        return new Promise<never>(() => undefined);
      }),
      clock: systemClock,
    },
    logger,
    stream: bus.stream,
    subjectPrefix: bus.subjectPrefix,
    deadLetterPrefix: bus.deadLetterPrefix,
    ackWaitMs: 1000,
  });
  await waitFor('the batch to reach the database', () => started);
  await crashingConnection.close();

  const consumer = startConsumer({ ackWaitMs: 1000 });
  await waitFor('the redelivered bans to be acked', () => consumer.stats.acked === sellers.length);
  for (const seller of sellers) {
    expect(await ticketsOf(seller)).toEqual([expect.objectContaining({ listed: false, unlisted_reason: 'seller_banned', version: 2 })]);
  }
});

it('retries a failing event and sets it aside after the last allowed delivery', async () => {
  const broken = await openTicketsTestDatabase();
  await broken.close();
  const consumer = startConsumer({ context: { db: broken.db, clock: systemClock }, maxDeliver: 2, backoffMs: [0] });

  await bus.publish('user.banned', { userId: randomUUID(), revokedAt: new Date().toISOString() });
  await waitFor('the ban to be dead-lettered', () => consumer.stats.deadLettered === 1);

  expect(consumer.stats).toMatchObject({ delivered: 2, acked: 0, retried: 1 });
});
