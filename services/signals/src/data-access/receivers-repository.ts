import { eq } from 'drizzle-orm';
import type { SignalsDatabase } from './database';
import { receivers, type ReceiverRow } from './schema';

/**
 * The receiver with this id, revoked or not, or `undefined`.
 *
 * @param db - the database or a transaction
 * @param id - the receiver's id
 * @example
 * const receiver = await findReceiver(db, parsed.receiverId);
 */
export async function findReceiver(db: SignalsDatabase, id: string): Promise<ReceiverRow | undefined> {
  const [row] = await db.select().from(receivers).where(eq(receivers.id, id)).limit(1);
  return row;
}

/**
 * Stores a new receiver.
 *
 * @param db - the database or a transaction
 * @param row - the receiver, with the hash of its credential's secret
 * @example
 * await insertReceiver(db, { id, name, secretHash, createdAt: new Date(clock()), revokedAt: null, revokedReason: null });
 */
export async function insertReceiver(db: SignalsDatabase, row: ReceiverRow): Promise<void> {
  await db.insert(receivers).values(row);
}
