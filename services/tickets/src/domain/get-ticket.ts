import { z } from 'zod';
import { findTicket } from '../data-access/tickets-repository';
import type { TicketRow } from '../data-access/schema';
import { TicketsError } from '../errors';
import { toTicket, type Ticket } from './ticket';
import type { TicketsContext } from './tickets-context';

const ticketId = z.uuid();

/**
 * Loads a ticket the viewer may see: listed tickets are public, an unlisted one is visible to
 * its owner only (to anyone else it does not exist).
 *
 * @param context - database and clock
 * @param id - the ticket id from the URL (any string)
 * @param viewerId - the authenticated user's id
 * @returns the row
 * @throws {TicketsError} `TICKET_NOT_FOUND` when the id is not a UUID, unknown, or unlisted and not the viewer's
 * @example
 * const row = await findVisibleTicket(context, req.params.id, req.auth.sub);
 */
export async function findVisibleTicket(context: TicketsContext, id: string, viewerId: string): Promise<TicketRow> {
  const row = ticketId.safeParse(id).success ? await findTicket(context.db, id) : undefined;
  if (row === undefined || (!row.listed && row.ownerId !== viewerId)) {
    throw new TicketsError('TICKET_NOT_FOUND', `No ticket ${id}`);
  }
  return row;
}

/**
 * The public view of a ticket the viewer may see; see {@link findVisibleTicket}.
 *
 * @param context - database and clock
 * @param id - the ticket id from the URL
 * @param viewerId - the authenticated user's id
 * @throws {TicketsError} `TICKET_NOT_FOUND`
 * @example
 * res.json(await getTicket(context, req.params.id, req.auth.sub));
 */
export async function getTicket(context: TicketsContext, id: string, viewerId: string): Promise<Ticket> {
  return toTicket(await findVisibleTicket(context, id, viewerId));
}
