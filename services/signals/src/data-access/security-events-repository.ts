import type { SignalsDatabase } from './database';
import { securityEvents } from './schema';

/** A SET to store for a stream: what {@link insertSecurityEvent} writes. */
export type NewSecurityEvent = Pick<typeof securityEvents.$inferInsert, 'streamId' | 'jti' | 'eventType' | 'sourceId' | 'token' | 'createdAt'>;

/**
 * Stores a SET for delivery (state `pending`), unless the stream already has one with its
 * `jti`: a redelivered Veto event, or a retried request, keeps the SET written first, token and
 * all, so a receiver never sees two SETs for one event.
 *
 * @param db - the database or a transaction (the caller's, so the SET commits with its cause)
 * @param row - the SET
 * @returns whether a row was written (`false`: it was there already)
 * @example
 * await insertSecurityEvent(tx, { streamId, jti: claims.jti, eventType, sourceId: claims.txn, token, createdAt: new Date(clock()) });
 */
export async function insertSecurityEvent(db: SignalsDatabase, row: NewSecurityEvent): Promise<boolean> {
  const written = await db
    .insert(securityEvents)
    .values({ ...row, state: 'pending', attempts: 0 })
    .onConflictDoNothing({ target: [securityEvents.streamId, securityEvents.jti] })
    .returning({ seq: securityEvents.seq });
  return written.length === 1;
}
