import { sql } from 'drizzle-orm';
import { selectRows } from '@veto/storage';
import type { TicketsDatabase } from './database';

/** A seller's moderation decision as stored: banned or not, and when it was decided (the event's `occurredAt`). */
export interface ModerationRecord {
  readonly ownerId: string;
  readonly banned: boolean;
  readonly changedAt: Date;
}

/**
 * Records sellers' moderation decisions where each is newer than the stored one and, in the same
 * statement, applies the stored ones to their tickets: a ban unlists the seller's listed tickets
 * (reason `seller_banned`), an unban relists the tickets a ban unlisted (not those the owner
 * unlisted), each change bumping the version. A redelivered decision (same time) or an older one
 * that arrives late changes nothing. One statement, so it is atomic on its own and costs one
 * round trip: on PGlite, which runs on the request loop and holds reads back during a transaction,
 * that replaced a transaction of four or five (BEGIN, record, unlist, relist when there are unbans, COMMIT).
 *
 * @param db - database or transaction
 * @param decisions - at most one per seller: one statement cannot change a row twice
 * @param now - the tickets' change time
 * @returns per seller whose decision was stored, how many tickets changed; stale decisions are absent
 * @throws TypeError when two decisions name the same seller; whatever the database throws (nothing is changed then)
 * @example
 * const changed = await applyModerationRecords(db, [{ ownerId, banned: true, changedAt }], new Date(clock()));
 */
export async function applyModerationRecords(db: TicketsDatabase, decisions: readonly ModerationRecord[], now: Date): Promise<Map<string, number>> {
  if (new Set(decisions.map((decision) => decision.ownerId)).size !== decisions.length) throw new TypeError('applyModerationRecords: one decision per seller');
  if (decisions.length === 0) return new Map();
  // One JSON parameter rather than three per decision: on PGlite every parameter costs a few µs of JavaScript.
  const decided = JSON.stringify(decisions.map((decision) => ({ owner_id: decision.ownerId, banned: decision.banned, changed_at: decision.changedAt.toISOString() })));
  const changedAt = now.toISOString();
  // Only the ticket updates the decisions call for: a burst of bans never plans (or, on a large table, scans for) a relist.
  const none = sql`SELECT NULL::text AS owner_id WHERE false`;
  const unlist = decisions.some((decision) => decision.banned)
    ? sql`UPDATE tickets SET listed = false, unlisted_reason = 'seller_banned', version = version + 1, updated_at = ${changedAt}::timestamptz
        WHERE listed AND owner_id IN (SELECT owner_id FROM stored WHERE banned)
        RETURNING owner_id`
    : none;
  const relist = decisions.some((decision) => !decision.banned)
    ? sql`UPDATE tickets SET listed = true, unlisted_reason = NULL, version = version + 1, updated_at = ${changedAt}::timestamptz
        WHERE unlisted_reason = 'seller_banned' AND owner_id IN (SELECT owner_id FROM stored WHERE NOT banned)
        RETURNING owner_id`
    : none;
  // Data-modifying CTEs all run, once, on the same snapshot; the ticket updates read which decisions
  // were stored from the insert's RETURNING, not from the table.
  const rows = await selectRows<{ owner_id: string; tickets: number }>(
    db,
    sql`
      WITH decision AS (SELECT * FROM jsonb_to_recordset(${decided}::jsonb) AS decided (owner_id text, banned boolean, changed_at timestamptz)),
      stored AS (
        INSERT INTO seller_moderation (owner_id, banned, changed_at)
        SELECT owner_id, banned, changed_at FROM decision
        ON CONFLICT (owner_id) DO UPDATE SET banned = excluded.banned, changed_at = excluded.changed_at
        WHERE seller_moderation.changed_at < excluded.changed_at
        RETURNING owner_id, banned
      ),
      unlisted AS (${unlist}),
      relisted AS (${relist}),
      changed AS (SELECT owner_id FROM unlisted UNION ALL SELECT owner_id FROM relisted)
      SELECT stored.owner_id, (SELECT count(*) FROM changed WHERE changed.owner_id = stored.owner_id)::int AS tickets FROM stored
    `,
  );
  return new Map(rows.map((row) => [row.owner_id, Number(row.tickets)]));
}
