import { sql } from 'drizzle-orm';
import type { TicketsDatabase } from './database';
import { sellerModeration } from './schema';

/**
 * Records sellers' moderation states where each decision is newer than the stored one, in one
 * statement. A redelivered decision (same time) or an older one that arrives late changes
 * nothing. At most one decision per seller: one statement cannot change a row twice.
 *
 * @param db - database or transaction
 * @param decisions - per seller: banned or not, and the event's `occurredAt`
 * @returns the sellers whose decision was stored (the caller applies those), the others were stale
 * @throws TypeError when two decisions name the same seller
 * @example
 * const stored = await recordModerations(tx, [{ ownerId, banned: true, changedAt }]);
 */
export async function recordModerations(db: TicketsDatabase, decisions: readonly { ownerId: string; banned: boolean; changedAt: Date }[]): Promise<Set<string>> {
  if (new Set(decisions.map((decision) => decision.ownerId)).size !== decisions.length) throw new TypeError('recordModerations: one decision per seller');
  if (decisions.length === 0) return new Set();
  const rows = await db
    .insert(sellerModeration)
    .values([...decisions])
    .onConflictDoUpdate({
      target: sellerModeration.ownerId,
      set: { banned: sql`excluded.banned`, changedAt: sql`excluded.changed_at` },
      setWhere: sql`${sellerModeration.changedAt} < excluded.changed_at`,
    })
    .returning({ ownerId: sellerModeration.ownerId });
  return new Set(rows.map((row) => row.ownerId));
}
