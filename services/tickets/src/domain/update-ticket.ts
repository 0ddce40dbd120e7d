import { updateTicketAtVersion } from '../data-access/tickets-repository';
import { TicketsError } from '../errors';
import { findVisibleTicket } from './get-ticket';
import { toTicket, type Ticket } from './ticket';
import type { TicketsContext } from './tickets-context';

/** A change to a ticket, naming the version it was based on. */
export interface TicketChange {
  readonly title: string;
  readonly price: number;
  readonly version: number;
  /** Listing or unlisting by the owner; unchanged when omitted. */
  readonly listed?: boolean | undefined;
}

/**
 * Changes a ticket on behalf of its owner with optimistic concurrency: the write succeeds only
 * if nobody changed the ticket since the caller read `version`. The owner cannot relist a
 * ticket unlisted because they were banned; only the unban does that.
 *
 * @param context - database and clock
 * @param input - ticket id, the acting user, the change
 * @returns the updated ticket, version incremented
 * @throws {TicketsError} `TICKET_NOT_FOUND` (unknown, or unlisted and not theirs), `NOT_TICKET_OWNER`, `VERSION_CONFLICT` (stale version)
 * @example
 * const ticket = await updateTicket(context, { id, userId: req.auth.sub, change: { title, price, version } });
 */
export async function updateTicket(context: TicketsContext, input: { id: string; userId: string; change: TicketChange }): Promise<Ticket> {
  const current = await findVisibleTicket(context, input.id, input.userId);
  if (current.ownerId !== input.userId) {
    throw new TicketsError('NOT_TICKET_OWNER', 'Only the owner can change a ticket');
  }
  const { change } = input;
  let listing = { listed: current.listed, unlistedReason: current.unlistedReason };
  if (change.listed !== undefined && current.unlistedReason !== 'seller_banned') {
    listing = change.listed ? { listed: true, unlistedReason: null } : { listed: false, unlistedReason: 'owner' };
  }
  const updated = await updateTicketAtVersion(context.db, {
    id: current.id,
    version: change.version,
    title: change.title,
    price: change.price,
    ...listing,
    now: new Date(context.clock()),
  });
  if (updated === undefined) {
    throw new TicketsError('VERSION_CONFLICT', `Ticket ${current.id} changed since version ${change.version}; reload it and retry`);
  }
  return toTicket(updated);
}
