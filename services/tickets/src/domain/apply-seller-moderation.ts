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
 * Applies moderation decisions in one transaction, in order: a ban unlists every listed ticket
 * of the seller, an unban relists the tickets the ban unlisted (not those the owner unlisted).
 * Idempotent: a redelivered or out-of-date decision changes nothing, so a batch may hold several
 * decisions about one seller. One transaction for many decisions is what keeps a burst of bans
 * cheap; if it fails, nothing is changed and the caller can apply them one by one.
 *
 * @param context - database and clock
 * @param decisions - see {@link SellerModeration}
 * @returns one outcome per decision, in order
 * @throws whatever the database throws; nothing is changed then
 * @example
 * const [outcome] = await applySellerModerations(context, [{ ownerId: event.data.userId, banned: true, decidedAt: new Date(event.occurredAt) }]);
 */
export async function applySellerModerations(context: TicketsContext, decisions: readonly SellerModeration[]): Promise<ModerationOutcome[]> {
  return context.db.transaction(async (tx) => {
    const now = new Date(context.clock());
    const outcomes: ModerationOutcome[] = [];
    for (const decision of decisions) {
      const applied = await recordModeration(tx, { ownerId: decision.ownerId, banned: decision.banned, changedAt: decision.decidedAt });
      if (!applied) {
        outcomes.push({ applied, tickets: 0 });
        continue;
      }
      const tickets = decision.banned ? await unlistTicketsOfBannedSeller(tx, decision.ownerId, now) : await relistTicketsOfUnbannedSeller(tx, decision.ownerId, now);
      outcomes.push({ applied, tickets });
    }
    return outcomes;
  });
}
