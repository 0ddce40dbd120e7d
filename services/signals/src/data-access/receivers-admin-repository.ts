import { and, asc, eq, isNull } from 'drizzle-orm';
import type { SignalsDatabase } from './database';
import { receivers, type ReceiverRow } from './schema';

/**
 * Every receiver, revoked or not, oldest first.
 *
 * @param db - the database
 * @example
 * const rows = await listReceivers(db);
 */
export async function listReceivers(db: SignalsDatabase): Promise<ReceiverRow[]> {
  return db.select().from(receivers).orderBy(asc(receivers.createdAt), asc(receivers.id));
}

/**
 * Marks a receiver revoked, unless it is already: the first revocation's time and reason stay.
 *
 * @param db - the database or a transaction
 * @param id - the receiver
 * @param revocation - when and why
 * @returns whether this call revoked it (`false`: it was revoked before)
 * @example
 * await markReceiverRevoked(tx, id, { at: new Date(clock()), reason: 'contract ended' });
 */
export async function markReceiverRevoked(db: SignalsDatabase, id: string, revocation: { at: Date; reason: string }): Promise<boolean> {
  const changed = await db
    .update(receivers)
    .set({ revokedAt: revocation.at, revokedReason: revocation.reason })
    .where(and(eq(receivers.id, id), isNull(receivers.revokedAt)))
    .returning({ id: receivers.id });
  return changed.length === 1;
}
