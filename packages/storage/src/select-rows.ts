import type { SQL } from 'drizzle-orm';
import type { Database, DrizzleSchema } from './database';

/**
 * Runs a raw query and returns its rows, typed by the caller: both drivers answer `{ rows }`,
 * but drizzle types `execute` per driver.
 *
 * @param db - database or transaction
 * @param query - the SQL
 * @throws whatever the driver throws for a failing query
 * @example
 * const [row] = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM tickets`);
 */
export async function selectRows<T, TSchema extends DrizzleSchema = DrizzleSchema>(db: Database<TSchema>, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
