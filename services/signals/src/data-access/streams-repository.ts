import { and, asc, eq, inArray, isNull, lte, ne, or } from 'drizzle-orm';
import type { SignalsDatabase } from './database';
import { streams, type StreamRow } from './schema';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a value can be a stream id at all. A `stream_id` is opaque to receivers; anything that
 * is not a UUID names no stream and must not reach PostgreSQL, which would refuse the cast (a 500).
 *
 * @param id - a stream id as a receiver sent it
 * @example
 * if (!isStreamId(query.stream_id)) throw notFound();
 */
export function isStreamId(id: string): boolean {
  return UUID.test(id);
}

/**
 * Stores a new stream.
 *
 * @param db - the database or a transaction
 * @param row - the stream
 * @returns the stored row
 * @example
 * const row = await insertStream(db, { id: randomUUID(), receiverId, ...settings, status: 'enabled', ... });
 */
export async function insertStream(db: SignalsDatabase, row: typeof streams.$inferInsert): Promise<StreamRow> {
  const [stored] = await db.insert(streams).values(row).returning();
  if (stored === undefined) throw new Error('insert into streams returned no row');
  return stored;
}

/**
 * A receiver's stream, or `undefined` when it has none with that id: another receiver's stream is
 * not found either, so no receiver learns another's stream ids. `forUpdate` locks the row for the
 * transaction (a status change, a verification), so two requests on one stream apply one by one.
 *
 * @param db - the database or a transaction
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream id it sent
 * @param options - `forUpdate` inside a transaction
 * @example
 * const row = await findReceiverStream(tx, receiver.id, body.stream_id, { forUpdate: true });
 */
export async function findReceiverStream(db: SignalsDatabase, receiverId: string, streamId: string, options: { forUpdate?: boolean } = {}): Promise<StreamRow | undefined> {
  if (!isStreamId(streamId)) return undefined;
  const query = db
    .select()
    .from(streams)
    .where(and(eq(streams.id, streamId), eq(streams.receiverId, receiverId)))
    .limit(1);
  const [row] = options.forUpdate === true ? await query.for('update') : await query;
  return row;
}

/**
 * A stream by id, whoever its receiver (for admins).
 *
 * @param db - the database or a transaction
 * @param streamId - the stream id
 * @example
 * const row = await findStream(db, body.stream_id);
 */
export async function findStream(db: SignalsDatabase, streamId: string): Promise<StreamRow | undefined> {
  if (!isStreamId(streamId)) return undefined;
  const [row] = await db.select().from(streams).where(eq(streams.id, streamId)).limit(1);
  return row;
}

/**
 * The streams of some receivers (all of them when `receiverIds` is undefined), oldest first.
 *
 * @param db - the database or a transaction
 * @param receiverIds - whose streams
 * @example
 * const rows = await listStreams(db, [receiver.id]);
 */
export async function listStreams(db: SignalsDatabase, receiverIds?: readonly string[]): Promise<StreamRow[]> {
  const query = db.select().from(streams);
  const filtered = receiverIds === undefined ? query : query.where(inArray(streams.receiverId, [...receiverIds]));
  return filtered.orderBy(asc(streams.createdAt), asc(streams.id));
}

/**
 * Changes a stream's row.
 *
 * @param db - the database or a transaction
 * @param streamId - the stream
 * @param change - the columns to set
 * @returns the row after the change
 * @example
 * await updateStream(tx, row.id, { status: 'paused', statusReason: reason, updatedAt: new Date(clock()) });
 */
export async function updateStream(db: SignalsDatabase, streamId: string, change: Partial<Omit<typeof streams.$inferInsert, 'id' | 'receiverId'>>): Promise<StreamRow> {
  const [row] = await db.update(streams).set(change).where(eq(streams.id, streamId)).returning();
  if (row === undefined) throw new Error(`stream ${streamId} vanished during its update`);
  return row;
}

/**
 * Records a verification request unless the previous one is more recent than `notBefore`: one
 * statement, so two concurrent requests cannot both pass the interval check.
 *
 * @param db - the database or a transaction
 * @param streamId - the stream
 * @param now - this request's time
 * @param notBefore - the latest previous verification that still lets this one pass
 * @returns whether the verification was recorded
 * @example
 * if (!(await claimVerification(tx, row.id, now, new Date(now.getTime() - interval)))) throw tooFrequent();
 */
export async function claimVerification(db: SignalsDatabase, streamId: string, now: Date, notBefore: Date): Promise<boolean> {
  const claimed = await db
    .update(streams)
    .set({ lastVerificationAt: now })
    .where(and(eq(streams.id, streamId), or(isNull(streams.lastVerificationAt), lte(streams.lastVerificationAt, notBefore))))
    .returning({ id: streams.id });
  return claimed.length === 1;
}

/**
 * Deletes a receiver's stream; its SETs go with it (the outbox's foreign key cascades).
 *
 * @param db - the database or a transaction
 * @param receiverId - the authenticated receiver
 * @param streamId - the stream
 * @returns whether a stream was deleted
 * @example
 * if (!(await deleteReceiverStream(db, receiver.id, streamId))) throw notFound();
 */
export async function deleteReceiverStream(db: SignalsDatabase, receiverId: string, streamId: string): Promise<boolean> {
  if (!isStreamId(streamId)) return false;
  const deleted = await db
    .delete(streams)
    .where(and(eq(streams.id, streamId), eq(streams.receiverId, receiverId)))
    .returning({ id: streams.id });
  return deleted.length === 1;
}

/**
 * A receiver's streams that are not disabled, locked for the transaction.
 *
 * @param db - a transaction
 * @param receiverId - the receiver
 * @example
 * for (const row of await lockActiveStreams(tx, receiver.id)) await disable(row);
 */
export async function lockActiveStreams(db: SignalsDatabase, receiverId: string): Promise<StreamRow[]> {
  return db
    .select()
    .from(streams)
    .where(and(eq(streams.receiverId, receiverId), ne(streams.status, 'disabled')))
    .orderBy(asc(streams.createdAt))
    .for('update');
}
