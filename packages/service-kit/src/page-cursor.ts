import { z } from 'zod';
import { ValidationError } from './service-error';

/** Keyset pagination: the position after which the next page starts, the last row's `(created_at, id)`. */
export interface PagePosition {
  readonly createdAt: Date;
  readonly id: string;
}

// zod's ISO format already refuses impossible dates (February 30, hour 24) and years past 9999;
// year 0000 passes it, and `Date` reads it, but PostgreSQL's `timestamptz` has no year 0: as a
// SQL parameter it fails the query (a 500), so the cursor is refused here instead.
const instant = z.iso.datetime({ precision: 3 }).refine((text) => new Date(text).getUTCFullYear() >= 1);
const position = z.tuple([instant, z.uuid()]);

/**
 * Encodes the position of a page's last row as an opaque cursor. Clients pass it back
 * unchanged; its format may change.
 *
 * @param row - the last row of the page
 * @returns a base64url string
 * @example
 * const nextCursor = encodeCursor(rows.at(-1));
 */
export function encodeCursor(row: PagePosition): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

/**
 * Decodes a cursor from {@link encodeCursor}.
 *
 * @param cursor - the opaque cursor, or undefined for the first page
 * @returns the position, or undefined for the first page
 * @throws {ValidationError} `VALIDATION_FAILED` (field `cursor`) for anything else, including an instant outside years 1–9999
 * @example
 * const after = decodeCursor(query.cursor);
 */
export function decodeCursor(cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) {
    return undefined;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationError([{ field: 'cursor', message: 'Invalid cursor' }], { cause: error });
  }
  const parsed = position.safeParse(decoded);
  if (!parsed.success) {
    throw new ValidationError([{ field: 'cursor', message: 'Invalid cursor' }], { cause: parsed.error });
  }
  return { createdAt: new Date(parsed.data[0]), id: parsed.data[1] };
}

/**
 * Cuts a page from rows fetched with `limit + 1`: the extra row only tells whether a next page exists.
 *
 * @param rows - up to `limit + 1` rows, in page order
 * @param limit - the page size
 * @returns the page's rows and the cursor of the next page (`null` on the last page)
 * @example
 * const { items, nextCursor } = toPage(await listUsers(db, { limit: limit + 1, after: decodeCursor(query.cursor) }), limit);
 */
export function toPage<T extends PagePosition>(rows: readonly T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null };
}
