import type { TicketRow } from '../data-access/schema';

/** Highest accepted price in cents (1 000 000.00): a sanity bound, well inside a PostgreSQL integer. */
export const MAX_PRICE_CENTS = 100_000_000;

/** Highest version a client can name: the `version` column is a PostgreSQL `integer` (int32). */
export const MAX_VERSION = 2_147_483_647;

/** Longest title in characters, after trimming. */
export const MAX_TITLE_LENGTH = 200;

/** A ticket as the API shows it; times are ISO-8601 UTC with milliseconds. */
export interface Ticket {
  readonly id: string;
  readonly title: string;
  /** Integer cents. */
  readonly price: number;
  readonly ownerId: string;
  readonly version: number;
  readonly listed: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The public view of a ticket row (the unlisting reason stays internal).
 *
 * @param row - a row from the tickets table
 * @example
 * res.status(201).json(toTicket(row));
 */
export function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    price: row.price,
    ownerId: row.ownerId,
    version: row.version,
    listed: row.listed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
