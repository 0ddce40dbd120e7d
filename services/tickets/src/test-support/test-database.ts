import { openTestDatabase, type TestDatabase } from '@veto/storage/testing';
import { MIGRATIONS_FOLDER } from '../data-access/migrations-folder';
import { schema } from '../data-access/schema';

/** The tickets schema's test database. */
export type TicketsTestDatabase = TestDatabase<typeof schema>;

/**
 * Opens one migrated tickets database for a test file (see `openTestDatabase` of `@veto/storage/testing`).
 *
 * @param driver - defaults to PostgreSQL when `DATABASE_URL` is set, else PGlite
 * @example
 * beforeAll(async () => { database = await openTicketsTestDatabase(); });
 */
export function openTicketsTestDatabase(driver?: 'pglite' | 'postgres'): Promise<TicketsTestDatabase> {
  return openTestDatabase({ schema, schemaName: 'tickets', migrationsFolder: MIGRATIONS_FOLDER, ...(driver === undefined ? {} : { driver }) });
}
