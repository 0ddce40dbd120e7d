import { sql } from 'drizzle-orm';
import type { TicketsDatabase } from './database';
import { sellerModeration } from './schema';

/**
 * Records a seller's moderation state if the decision is newer than the stored one. A
 * redelivered event (same time) or an older one that arrives late changes nothing.
 *
 * @param db - database or transaction
 * @param decision - the seller, banned or not, and the event's `occurredAt`
 * @returns true when the decision was stored (the caller applies it), false when it was stale
 * @example
 * if (await recordModeration(tx, { ownerId, banned: true, changedAt })) await unlistTicketsOfBannedSeller(tx, ownerId, now);
 */
export async function recordModeration(db: TicketsDatabase, decision: { ownerId: string; banned: boolean; changedAt: Date }): Promise<boolean> {
  const rows = await db
    .insert(sellerModeration)
    .values(decision)
    .onConflictDoUpdate({
      target: sellerModeration.ownerId,
      set: { banned: decision.banned, changedAt: decision.changedAt },
      setWhere: sql`${sellerModeration.changedAt} < excluded.changed_at`,
    })
    .returning({ ownerId: sellerModeration.ownerId });
  return rows.length > 0;
}

