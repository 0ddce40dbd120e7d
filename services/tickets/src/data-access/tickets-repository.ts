import { and, desc, eq, sql } from 'drizzle-orm';
import type { TicketsDatabase } from './database';
import { tickets, type TicketRow } from './schema';

/**
 * Inserts a new listed ticket at version 1.
 *
 * @param db - database or transaction
 * @param ticket - id, title, price, owner and the creation time
 * @returns the stored row
 * @throws whatever the driver throws (e.g. a duplicate id)
 * @example
 * const row = await insertTicket(db, { id: randomUUID(), title, price, ownerId, now });
 */
export async function insertTicket(db: TicketsDatabase, ticket: { id: string; title: string; price: number; ownerId: string; now: Date }): Promise<TicketRow> {
  const [row] = await db
    .insert(tickets)
    .values({ id: ticket.id, title: ticket.title, price: ticket.price, ownerId: ticket.ownerId, version: 1, listed: true, createdAt: ticket.now, updatedAt: ticket.now })
    .returning();
  if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

/**
 * Finds a ticket by id, listed or not.
 *
 * @param db - database or transaction
 * @param id - a UUID (callers check the format: PostgreSQL rejects other strings)
 * @example
 * const row = await findTicket(db, id);
 */
export async function findTicket(db: TicketsDatabase, id: string): Promise<TicketRow | undefined> {
  const [row] = await db.select().from(tickets).where(eq(tickets.id, id));
  return row;
}

/** A position in the public list: the last ticket of the previous page. */
export interface TicketPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/**
 * One page of listed tickets, newest first, ordered by (created_at, id) so tickets created in
 * the same millisecond keep a stable order and a page boundary never skips or repeats one.
 *
 * @param db - database or transaction
 * @param page - how many rows, and the position to continue after
 * @example
 * const rows = await listListedTickets(db, { limit: 21, after: { createdAt, id } });
 */
export async function listListedTickets(db: TicketsDatabase, page: { limit: number; after?: TicketPosition | undefined }): Promise<TicketRow[]> {
  const after = page.after === undefined ? undefined : sql`(${tickets.createdAt}, ${tickets.id}) < (${page.after.createdAt.toISOString()}::timestamptz, ${page.after.id}::uuid)`;
  return db
    .select()
    .from(tickets)
    .where(and(eq(tickets.listed, true), after))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(page.limit);
}

/**
 * Changes a ticket only if it is still at the version the caller read (optimistic
 * concurrency), incrementing the version.
 *
 * @param db - database or transaction
 * @param change - id, expected version, the new fields and the time
 * @returns the updated row, or undefined when the id is unknown or the version is stale
 * @example
 * const row = await updateTicketAtVersion(db, { id, version: 3, title, price, listed: true, now });
 */
export async function updateTicketAtVersion(
  db: TicketsDatabase,
  change: { id: string; version: number; title: string; price: number; listed: boolean; unlistedReason: TicketRow['unlistedReason']; now: Date },
): Promise<TicketRow | undefined> {
  const [row] = await db
    .update(tickets)
    .set({
      title: change.title,
      price: change.price,
      listed: change.listed,
      unlistedReason: change.unlistedReason,
      version: sql`${tickets.version} + 1`,
      updatedAt: change.now,
    })
    .where(and(eq(tickets.id, change.id), eq(tickets.version, change.version)))
    .returning();
  return row;
}
