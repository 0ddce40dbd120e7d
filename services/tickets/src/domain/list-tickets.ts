import { decodeCursor, toPage } from '@veto/service-kit';
import { listListedTickets } from '../data-access/tickets-repository';
import { toTicket, type Ticket } from './ticket';
import type { TicketsContext } from './tickets-context';

/** One page of the public list. */
export interface TicketPage {
  readonly items: readonly Ticket[];
  /** Pass it as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Lists the listed tickets, newest first, by keyset pagination: a page costs the same however
 * deep it is, and tickets created meanwhile never shift later pages.
 *
 * @param context - database and clock
 * @param page - page size and the cursor of the previous page, if any
 * @throws {ValidationError} `VALIDATION_FAILED` for a cursor that was not issued by this service
 * @example
 * const { items, nextCursor } = await listTickets(context, { limit: 20, cursor: req.query.cursor });
 */
export async function listTickets(context: TicketsContext, page: { limit: number; cursor?: string | undefined }): Promise<TicketPage> {
  // One row more than asked tells whether another page exists without a count query.
  const rows = await listListedTickets(context.db, { limit: page.limit + 1, after: decodeCursor(page.cursor) });
  const { items, nextCursor } = toPage(rows, page.limit);
  return { items: items.map(toTicket), nextCursor };
}
