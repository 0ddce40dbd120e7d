import { recordModeration } from '../data-access/seller-moderation-repository';
import { relistTicketsOfUnbannedSeller, unlistTicketsOfBannedSeller } from '../data-access/tickets-repository';
import type { TicketsContext } from './tickets-context';

/** A moderation decision about a seller, taken from a `user.banned` or `user.unbanned` event. */
export interface SellerModeration {
  readonly ownerId: string;
  readonly banned: boolean;
  /** When the decision was taken (the event's `occurredAt`): older decisions never override newer ones. */
  readonly decidedAt: Date;
}

/** What applying a decision changed. */
export interface ModerationOutcome {
  /** False when a newer (or the same) decision was already applied: a duplicate or late event. */
  readonly applied: boolean;
  /** Tickets unlisted or relisted. */
  readonly tickets: number;
}

/**
 * Applies a ban (unlist every listed ticket of the seller) or an unban (relist the tickets the
 * ban unlisted, not those the owner unlisted) in one transaction. Idempotent: a redelivered or
 * out-of-date decision changes nothing.
 *
 * @param context - database and clock
 * @param decision - see {@link SellerModeration}
 * @throws whatever the database throws; nothing is changed then
 * @example
 * await applySellerModeration(context, { ownerId: event.data.userId, banned: true, decidedAt: new Date(event.occurredAt) });
 */
export async function applySellerModeration(context: TicketsContext, decision: SellerModeration): Promise<ModerationOutcome> {
  return context.db.transaction(async (tx) => {
    const applied = await recordModeration(tx, { ownerId: decision.ownerId, banned: decision.banned, changedAt: decision.decidedAt });
    if (!applied) return { applied, tickets: 0 };
    const now = new Date(context.clock());
    const tickets = decision.banned ? await unlistTicketsOfBannedSeller(tx, decision.ownerId, now) : await relistTicketsOfUnbannedSeller(tx, decision.ownerId, now);
    return { applied, tickets };
  });
}
