import { openDatabase as openStorageDatabase, type Database as StorageDatabase, type DatabaseHandle as StorageDatabaseHandle, type OpenDatabaseOptions } from '@veto/storage';
import { schema } from './schema';

export type { DatabaseDriver } from '@veto/storage';

/**
 * A drizzle handle on the auth schema: the database itself or an open transaction
 * (a drizzle transaction is a database too), so every repository function works in
 * both and callers decide the transaction boundaries.
 */
export type Database = StorageDatabase<typeof schema>;

/** An open auth database plus what it takes to check and close it. */
export type DatabaseHandle = StorageDatabaseHandle<typeof schema>;

/**
 * Opens the auth database through `@veto/storage`: PostgreSQL at `databaseUrl`, else PGlite in
 * `dataDir` (or in memory), with `search_path` on the service schema (created when missing).
 * Migrations are applied separately (`migrateDatabase`).
 *
 * @param options - URL or data directory, and the schema name
 * @returns the open handle
 * @throws {TypeError} when the schema name is not a plain lower-case identifier
 * @throws {StorageError} `DATABASE_UNAVAILABLE` when the database cannot be reached
 * @example
 * const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: `${config.dataDir}/pg`, schemaName: 'auth' });
 */
export function openDatabase(options: Omit<OpenDatabaseOptions<typeof schema>, 'schema'>): Promise<DatabaseHandle> {
  return openStorageDatabase({ ...options, schema });
}
