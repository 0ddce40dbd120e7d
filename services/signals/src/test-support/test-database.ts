import { openTestDatabase, type TestDatabase } from '@veto/storage/testing';
import { MIGRATIONS_FOLDER } from '../data-access/migrations-folder';
import { schema } from '../data-access/schema';

/** The signals schema's test database. */
export type SignalsTestDatabase = TestDatabase<typeof schema>;

/**
 * Opens one migrated signals database for a test file (see `openTestDatabase` of `@veto/storage/testing`).
 *
 * @example
 * beforeAll(async () => { database = await openSignalsTestDatabase(); });
 * beforeEach(() => database.reset());
 * afterAll(() => database.close());
 */
export function openSignalsTestDatabase(): Promise<SignalsTestDatabase> {
  return openTestDatabase({ schema, schemaName: 'signals', migrationsFolder: MIGRATIONS_FOLDER });
}
