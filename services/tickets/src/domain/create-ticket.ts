import { randomUUID } from 'node:crypto';
import { insertTicket } from '../data-access/tickets-repository';
import { toTicket, type Ticket } from './ticket';
import type { TicketsContext } from './tickets-context';

/**
 * Puts a new ticket up for sale, listed, at version 1.
 *
 * @param context - database and clock
 * @param input - the seller (token `sub`) and the validated title and price
 * @returns the ticket
 * @throws whatever the database throws
 * @example
 * const ticket = await createTicket(context, { ownerId: req.auth.sub, title: 'Concert', price: 4500 });
 */
export async function createTicket(context: TicketsContext, input: { ownerId: string; title: string; price: number }): Promise<Ticket> {
  const row = await insertTicket(context.db, { id: randomUUID(), ...input, now: new Date(context.clock()) });
  return toTicket(row);
}
