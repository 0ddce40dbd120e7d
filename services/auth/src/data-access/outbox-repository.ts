import { and, asc, count, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { VetoEvent } from '@veto/events';
import type { Database } from './database';
import { outbox, type OutboxRow } from './schema';

/**
 * How long a relay holds a row it claimed (or wrote) before another relay may take it over:
 * far longer than a publish takes, short enough that a crashed instance delays little.
 */
export const OUTBOX_LEASE_MS = 30_000;

/**
 * Stores an event for the relay to publish; call it inside the transaction that makes
 * the change the event announces, so both commit or neither does. The row starts leased
 * to the writing instance, whose relay publishes it right after the commit without
 * claiming it first; if that instance dies, the lease runs out and any relay takes it.
 *
 * @param tx - the open transaction
 * @param event - the validated envelope (from `createEvent`)
 * @param subject - the NATS subject it is published on
 * @example
 * await insertOutboxEvent(tx, event, subjectFor(event.type));
 */
export async function insertOutboxEvent(tx: Database, event: VetoEvent, subject: string): Promise<void> {
  const createdAt = new Date(event.occurredAt);
  await tx
    .insert(outbox)
    .values({ id: event.id, type: event.type, subject, payload: event, createdAt, lockedUntil: new Date(createdAt.getTime() + OUTBOX_LEASE_MS) });
}

/**
 * Claims up to `limit` unpublished rows that no other relay holds, oldest first, by
 * giving them a lease: `SELECT … FOR UPDATE SKIP LOCKED` picks rows nobody is claiming at
 * this instant, and the lease keeps other relays away while this one publishes outside any
 * transaction (holding a transaction across a network call would stall an embedded database).
 *
 * @param db - the database
 * @param options - batch size, the current time and the lease length
 * @returns the claimed rows, oldest first
 * @example
 * const rows = await claimOutboxRows(db, { limit: 100, now: new Date(clock()), leaseMs: 30_000 });
 */
export async function claimOutboxRows(db: Database, options: { limit: number; now: Date; leaseMs: number }): Promise<OutboxRow[]> {
  const claimable = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(isNull(outbox.publishedAt), or(isNull(outbox.lockedUntil), lte(outbox.lockedUntil, options.now))))
    .orderBy(asc(outbox.seq))
    .limit(options.limit)
    .for('update', { skipLocked: true });
  const rows = await db
    .update(outbox)
    .set({ lockedUntil: new Date(options.now.getTime() + options.leaseMs) })
    .where(inArray(outbox.id, claimable))
    .returning();
  return rows.sort((a, b) => a.seq - b.seq);
}

/**
 * Marks a row published and ends its lease.
 *
 * @param db - the database
 * @param id - the event id
 * @param now - when JetStream acknowledged it
 * @example
 * await markOutboxPublished(db, row.id, new Date(clock()));
 */
export async function markOutboxPublished(db: Database, id: string, now: Date): Promise<void> {
  await db.update(outbox).set({ publishedAt: now, lockedUntil: null }).where(eq(outbox.id, id));
}

/**
 * Records a failed publish (one more attempt, the error) and gives the row back.
 *
 * @param db - the database
 * @param id - the event id
 * @param error - why it failed, for operators
 * @example
 * await recordOutboxFailure(db, row.id, 'PUBLISH_FAILED: timeout');
 */
export async function recordOutboxFailure(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, lastError: error.slice(0, 1000), lockedUntil: null })
    .where(eq(outbox.id, id));
}

/**
 * Gives claimed rows back without counting an attempt (the relay stopped before trying them).
 *
 * @param db - the database
 * @param ids - event ids
 * @example
 * await releaseOutboxRows(db, rest.map((row) => row.id));
 */
export async function releaseOutboxRows(db: Database, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) {
    await db.update(outbox).set({ lockedUntil: null }).where(and(inArray(outbox.id, [...ids]), isNull(outbox.publishedAt)));
  }
}

/**
 * Counts the rows not yet published (a gauge).
 *
 * @param db - the database
 * @example
 * gauge.set(await countPendingOutbox(db));
 */
export async function countPendingOutbox(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
  return row?.n ?? 0;
}
