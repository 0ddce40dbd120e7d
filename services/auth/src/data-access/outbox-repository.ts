import { and, asc, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, max, min, or, sql } from 'drizzle-orm';
import type { VetoEvent } from '@veto/events';
import type { Database } from './database';
import { outbox, type OutboxRow } from './schema';

/**
 * How long a relay holds a row it claimed (or wrote) before another relay may take it over.
 * The holder renews it while alive (every third of it), so it only needs to outlast a
 * renewal round; short, because the rows of an instance killed mid-publish wait this long
 * for the restarted instance or a replica.
 */
export const OUTBOX_LEASE_MS = 3000;

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
  await tx.insert(outbox).values({ id: event.id, type: event.type, subject, payload: event, createdAt, lockedUntil: new Date(createdAt.getTime() + OUTBOX_LEASE_MS) });
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
 * Marks a row published (or published again after a stream loss) and ends its lease.
 *
 * @param db - the database
 * @param id - the event id
 * @param now - when JetStream acknowledged it
 * @param streamSeq - the stream sequence the acknowledgement gave, when known
 * @example
 * await markOutboxPublished(db, row.id, new Date(clock()), ack.seq);
 */
export async function markOutboxPublished(db: Database, id: string, now: Date, streamSeq?: number): Promise<void> {
  await db
    .update(outbox)
    .set({ publishedAt: now, lockedUntil: null, streamSeq: streamSeq ?? null })
    .where(eq(outbox.id, id));
}

/**
 * Extends the lease of rows this relay still holds, so that no other relay takes them over
 * while it is alive; rows published meanwhile are left alone.
 *
 * @param db - the database
 * @param ids - event ids
 * @param until - the new end of the lease
 * @example
 * await renewOutboxLeases(db, [...held], new Date(clock() + OUTBOX_LEASE_MS));
 */
export async function renewOutboxLeases(db: Database, ids: readonly string[], until: Date): Promise<void> {
  if (ids.length > 0) {
    await db
      .update(outbox)
      .set({ lockedUntil: until })
      .where(and(inArray(outbox.id, [...ids]), isNull(outbox.publishedAt)));
  }
}

/** A published event and where the stream acknowledged it. */
export interface StreamAnchor {
  readonly id: string;
  readonly streamSeq: number;
}

/**
 * The event acknowledged last among those published since `since` with a known stream
 * sequence: if the stream no longer holds it at that sequence, the stream was lost.
 *
 * @param db - the database
 * @param since - ignore older acknowledgements (they may have aged out of the stream)
 * @returns the anchor, or undefined when nothing was published since
 * @example
 * const anchor = await latestStreamAnchor(db, new Date(clock() - retentionMs));
 */
export async function latestStreamAnchor(db: Database, since: Date): Promise<StreamAnchor | undefined> {
  const [row] = await db
    .select({ id: outbox.id, streamSeq: outbox.streamSeq })
    .from(outbox)
    .where(and(isNotNull(outbox.publishedAt), gte(outbox.publishedAt, since), isNotNull(outbox.streamSeq)))
    .orderBy(desc(outbox.publishedAt), desc(outbox.seq))
    .limit(1);
  return row?.streamSeq == null ? undefined : { id: row.id, streamSeq: row.streamSeq };
}

/**
 * One page of the published rows written since `since`, in insertion order: what must be
 * published again when the stream lost them.
 *
 * @param db - the database
 * @param options - the window start, the last `seq` of the previous page (0 first), the page size
 * @returns the rows, in `seq` order
 * @example
 * const page = await listPublishedSince(db, { since, afterSeq: 0, limit: 100 });
 */
export async function listPublishedSince(db: Database, options: { since: Date; afterSeq: number; limit: number }): Promise<OutboxRow[]> {
  return (
    db
      .select()
      .from(outbox)
      // published_at >= since first: it is indexed, and implied by created_at >= since (an event is published after it is written).
      .where(and(isNotNull(outbox.publishedAt), gte(outbox.publishedAt, options.since), gte(outbox.createdAt, options.since), gt(outbox.seq, options.afterSeq)))
      .orderBy(asc(outbox.seq))
      .limit(options.limit)
  );
}

/**
 * Deletes up to `limit` rows published before `before` (one batch, so a large backlog never
 * holds one long transaction); pending rows are never deleted.
 *
 * @param db - the database
 * @param options - the cut-off and the batch size
 * @returns how many rows were deleted
 * @example
 * while ((await purgePublishedOutbox(db, { before, limit: 1000 })) === 1000) {}
 */
export async function purgePublishedOutbox(db: Database, options: { before: Date; limit: number }): Promise<number> {
  const batch = db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(isNotNull(outbox.publishedAt), lt(outbox.publishedAt, options.before)))
    .limit(options.limit);
  const deleted = await db.delete(outbox).where(inArray(outbox.id, batch)).returning({ id: outbox.id });
  return deleted.length;
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
    await db
      .update(outbox)
      .set({ lockedUntil: null })
      .where(and(inArray(outbox.id, [...ids]), isNull(outbox.publishedAt)));
  }
}

/**
 * When the first lease of an unpublished row ends: the rows of an instance that died become
 * claimable then, so a relay can look again at that moment rather than at its next poll.
 *
 * @param db - the database
 * @returns the earliest lease end, or undefined when no unpublished row is leased
 * @example
 * const expiry = await nextLeaseExpiry(db);
 */
export async function nextLeaseExpiry(db: Database): Promise<Date | undefined> {
  const [row] = await db
    .select({ until: min(outbox.lockedUntil) })
    .from(outbox)
    .where(and(isNull(outbox.publishedAt), isNotNull(outbox.lockedUntil)));
  return row?.until ?? undefined;
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

/** An outbox row as the enforcement view reads it. */
export interface OutboxEventRecord {
  readonly id: string;
  readonly type: string;
  readonly payload: VetoEvent;
  readonly createdAt: Date;
  readonly publishedAt: Date | null;
  readonly streamSeq: number | null;
}

/**
 * One event of the outbox by id, published or not; rows purged past the retention are gone.
 *
 * @param db - the database
 * @param id - the event id (a uuid)
 * @returns the row, or undefined when the outbox does not hold it
 * @example
 * const row = await findOutboxEvent(db, eventId);
 */
export async function findOutboxEvent(db: Database, id: string): Promise<OutboxEventRecord | undefined> {
  const [row] = await db
    .select({ id: outbox.id, type: outbox.type, payload: outbox.payload, createdAt: outbox.createdAt, publishedAt: outbox.publishedAt, streamSeq: outbox.streamSeq })
    .from(outbox)
    .where(eq(outbox.id, id))
    .limit(1);
  return row === undefined ? undefined : { ...row, payload: row.payload as VetoEvent };
}

/**
 * The highest stream sequence among events published at or before `before`: an instance whose
 * last applied sequence is below it is behind by at least one event that old.
 *
 * @param db - the database
 * @param before - the cut-off
 * @returns the sequence, or undefined when no such event is held
 * @example
 * const seq = await highestStreamSeqPublishedBefore(db, new Date(clock() - 5000));
 */
export async function highestStreamSeqPublishedBefore(db: Database, before: Date): Promise<number | undefined> {
  const [row] = await db
    .select({ seq: max(outbox.streamSeq) })
    .from(outbox)
    .where(and(isNotNull(outbox.publishedAt), lte(outbox.publishedAt, before)));
  return row?.seq ?? undefined;
}
