import type { TicketsDatabase } from '../data-access/database';
import { applyModerationRecords } from '../data-access/seller-moderation-repository';
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
 * Applies moderation decisions atomically, as if one after another: a ban unlists every listed
 * ticket of the seller, an unban relists the tickets the ban unlisted (not those the owner
 * unlisted). Idempotent: a redelivered or out-of-date decision changes nothing. The work is one
 * set-based statement per round, a round taking at most one decision per seller in order, so a
 * burst of decisions about different sellers costs one statement however many there are (and
 * needs no transaction around it); several rounds run in one transaction.
 *
 * @param context - database and clock
 * @param decisions - see {@link SellerModeration}
 * @returns one outcome per decision, in order
 * @throws whatever the database throws; nothing is changed then
 * @example
 * const [outcome] = await applySellerModerations(context, [{ ownerId: event.data.userId, banned: true, decidedAt: new Date(event.occurredAt) }]);
 */
export async function applySellerModerations(context: TicketsContext, decisions: readonly SellerModeration[]): Promise<ModerationOutcome[]> {
  // The k-th decision about a seller goes to round k, so each seller's decisions keep their order.
  const rounds: { index: number; decision: SellerModeration }[][] = [];
  const perSeller = new Map<string, number>();
  decisions.forEach((decision, index) => {
    const round = perSeller.get(decision.ownerId) ?? 0;
    perSeller.set(decision.ownerId, round + 1);
    (rounds[round] ??= []).push({ index, decision });
  });
  const now = new Date(context.clock());
  const outcomes: ModerationOutcome[] = [];
  const apply = async (db: TicketsDatabase): Promise<void> => {
    for (const round of rounds) {
      const changed = await applyModerationRecords(
        db,
        round.map(({ decision }) => ({ ownerId: decision.ownerId, banned: decision.banned, changedAt: decision.decidedAt })),
        now,
      );
      for (const { index, decision } of round) {
        const tickets = changed.get(decision.ownerId);
        outcomes[index] = { applied: tickets !== undefined, tickets: tickets ?? 0 };
      }
    }
  };
  if (rounds.length <= 1) await apply(context.db);
  else await context.db.transaction(apply);
  return outcomes;
}
