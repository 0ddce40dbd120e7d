import { openTestDatabase as openStorageTestDatabase, type TestDatabase as StorageTestDatabase } from '@veto/storage/testing';
import type { DatabaseDriver } from '../data-access/database';
import { MIGRATIONS_FOLDER } from '../data-access/migrate';
import { schema } from '../data-access/schema';

export { availableDrivers, createSandboxFreePglite } from '@veto/storage/testing';
export { selectRows } from '@veto/storage';

/** A migrated auth database for one test file; `reset()` empties every table. */
export type TestDatabase = StorageTestDatabase<typeof schema>;

/**
 * Opens ONE migrated auth database for a test file (`@veto/storage/testing`): in-memory PGlite,
 * or a fresh random schema on `DATABASE_URL`, dropped on close. Open it in `beforeAll`, and
 * `reset()` in `beforeEach`.
 *
 * @param driver - defaults to PostgreSQL when `DATABASE_URL` is set, else PGlite
 * @example
 * let database: TestDatabase;
 * beforeAll(async () => { database = await openTestDatabase(); });
 * beforeEach(() => database.reset());
 * afterAll(() => database.close());
 */
export function openTestDatabase(driver?: DatabaseDriver): Promise<TestDatabase> {
  return openStorageTestDatabase({ schema, schemaName: 'auth', migrationsFolder: MIGRATIONS_FOLDER, ...(driver === undefined ? {} : { driver }) });
}
