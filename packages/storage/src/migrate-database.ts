import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import type { MigrationConfig } from 'drizzle-orm/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { DatabaseHandle, DrizzleSchema } from './database';
import { StorageError } from './errors';

/** Options of {@link migrateDatabase}. */
export interface MigrateDatabaseOptions {
  /** The folder drizzle-kit generated (`.sql` files plus `meta/_journal.json`). */
  readonly migrationsFolder: string;
}

/** Name of the table recording applied migrations, kept in the service schema. */
export const MIGRATIONS_TABLE = '__drizzle_migrations';

/**
 * The `.sql` files of a migrations folder that name the `public` schema. drizzle-kit writes
 * foreign keys as `REFERENCES "public"."table"`; such a migration would reach outside the
 * service schema, so {@link migrateDatabase} refuses the folder.
 *
 * @param migrationsFolder - the drizzle-kit output folder
 * @returns file names, empty when every migration is unqualified
 * @throws {Error} from node:fs when the folder cannot be read
 * @example
 * expect(qualifiedMigrations(MIGRATIONS_FOLDER)).toEqual([]);
 */
export function qualifiedMigrations(migrationsFolder: string): string[] {
  return readdirSync(migrationsFolder)
    .filter((name) => name.endsWith('.sql'))
    .filter((name) => readFileSync(join(migrationsFolder, name), 'utf8').includes('"public".'));
}

/**
 * Applies the pending migrations of a folder, each in its own transaction; the migrations
 * table lives in the service schema, so services sharing a server never see each other's.
 * Applying an up-to-date database changes nothing.
 *
 * @param database - an open handle from `openDatabase`
 * @param options - see {@link MigrateDatabaseOptions}
 * @throws {TypeError} when the folder is missing or a migration names the `public` schema (run `veto-unqualify-migrations` after `drizzle-kit generate`)
 * @throws {StorageError} `MIGRATION_FAILED` when a migration fails (it is rolled back; the driver's error is the cause)
 * @example
 * await migrateDatabase(database, { migrationsFolder: join(__dirname, '..', 'drizzle') });
 */
export async function migrateDatabase<TSchema extends DrizzleSchema>(database: DatabaseHandle<TSchema>, options: MigrateDatabaseOptions): Promise<void> {
  const { migrationsFolder } = options;
  let qualified: string[];
  try {
    qualified = qualifiedMigrations(migrationsFolder);
  } catch (error) {
    throw new TypeError(`migrationsFolder ${migrationsFolder} cannot be read`, { cause: error });
  }
  if (qualified.length > 0) {
    throw new TypeError(`migrations ${qualified.join(', ')} name the "public" schema; run veto-unqualify-migrations ${migrationsFolder}`);
  }
  const config: MigrationConfig = { migrationsFolder, migrationsSchema: database.schemaName, migrationsTable: MIGRATIONS_TABLE };
  try {
    if ('pglite' in database.raw) {
      await migratePglite(drizzlePglite({ client: database.raw.pglite }), config);
    } else {
      // Replicas starting together take turns (a session advisory lock per schema): two
      // migrators racing on one schema would both try to create the same tables.
      const { pool } = database.raw;
      const lockHolder = await pool.connect();
      const lockKey = `veto-migrations:${database.schemaName}`;
      try {
        await lockHolder.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
        try {
          await migratePostgres(drizzlePostgres({ client: pool }), config);
        } finally {
          await lockHolder.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]);
        }
      } finally {
        lockHolder.release();
      }
    }
  } catch (error) {
    throw new StorageError('MIGRATION_FAILED', `migrating schema ${database.schemaName} from ${migrationsFolder} failed`, { cause: error });
  }
}
