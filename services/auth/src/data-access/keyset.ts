import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/**
 * The keyset condition of a newest-first page: rows strictly after `after` in
 * `(created_at DESC, id DESC)` order, or no condition on the first page.
 *
 * @param createdAt - the table's creation-time column
 * @param id - the table's uuid primary key
 * @param after - the last row of the previous page
 * @example
 * db.select().from(users).where(and(olderThan(users.createdAt, users.id, after))).orderBy(desc(users.createdAt), desc(users.id));
 */
export function olderThan(createdAt: PgColumn, id: PgColumn, after: { createdAt: Date; id: string } | undefined): SQL | undefined {
  return after === undefined ? undefined : sql`(${createdAt}, ${id}) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`;
}
