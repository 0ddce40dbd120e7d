import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { sql } from 'drizzle-orm';
import { Pool } from 'pg';
import { schema } from './schema';

/**
 * A drizzle handle on the auth schema: the database itself or an open transaction
 * (a drizzle transaction is a database too), so every repository function works in
 * both and callers decide the transaction boundaries.
 */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

/** The driver behind a database handle. */
export type DatabaseDriver = 'pglite' | 'postgres';

/** An open database plus what it takes to check and close it. */
export interface DatabaseHandle {
  readonly db: Database;
  readonly driver: DatabaseDriver;
  /** The PostgreSQL schema holding the service's tables. */
  readonly schemaName: string;
  /** Runs a trivial query. @throws whatever the driver throws when the database does not answer */
  ping(): Promise<void>;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
  /** The driver's own client, for the migrator. */
  readonly raw: { readonly pglite: PGlite } | { readonly pool: Pool };
}

/** Where the database lives. */
export interface OpenDatabaseOptions {
  /** PostgreSQL URL; when absent an embedded PGlite database is used. */
  readonly databaseUrl?: string | undefined;
  /** PGlite data directory; when absent (and no URL) PGlite runs in memory. */
  readonly dataDir?: string | undefined;
  /** Schema for the service's tables, created when missing. */
  readonly schemaName: string;
  /**
   * Constructs the PGlite client; defaults to `new PGlite(dataDir)`. Tests under jest
   * pass one that loads PGlite outside jest's module sandbox, whose `import()` of Node
   * built-ins PGlite needs would otherwise require `--experimental-vm-modules`.
   */
  readonly createPglite?: (dataDir: string | undefined) => PGlite;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the auth database with either driver and points `search_path` at the
 * service schema, creating it when missing. Migrations are applied separately
 * (`migrateDatabase`).
 *
 * @param options - URL or data directory, and the schema name
 * @returns the open handle
 * @throws {TypeError} when the schema name is not a plain lower-case identifier
 * @throws whatever the driver throws when the database cannot be reached
 * @example
 * const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: `${config.dataDir}/pg`, schemaName: 'auth' });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { schemaName } = options;
  if (!IDENTIFIER.test(schemaName)) {
    throw new TypeError(`schemaName must be a lower-case SQL identifier, got ${JSON.stringify(schemaName)}`);
  }
  if (options.databaseUrl !== undefined) {
    // The schema must exist before a connection with it on its search_path creates tables.
    // CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent twin (replicas starting
    // together), hence the transaction-scoped advisory lock.
    const setup = new Pool({ connectionString: options.databaseUrl, max: 1 });
    try {
      await setup.query(
        `BEGIN; SELECT pg_advisory_xact_lock(hashtext('veto-schema:${schemaName}')); CREATE SCHEMA IF NOT EXISTS "${schemaName}"; COMMIT`,
      );
    } finally {
      await setup.end();
    }
    const pool = new Pool({ connectionString: options.databaseUrl, options: `-c search_path=${schemaName}` });
    return toHandle(drizzlePostgres({ client: pool, schema }), schemaName, { pool }, () => pool.end());
  }
  if (options.dataDir !== undefined) {
    mkdirSync(options.dataDir, { recursive: true });
  }
  const createPglite = options.createPglite ?? ((dataDir) => new PGlite(dataDir));
  const pglite = createPglite(options.dataDir);
  try {
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"; SET search_path TO "${schemaName}"`);
  } catch (error) {
    await pglite.close();
    throw error;
  }
  return toHandle(drizzlePglite({ client: pglite, schema }), schemaName, { pglite }, () => pglite.close());
}

function toHandle(db: Database, schemaName: string, raw: DatabaseHandle['raw'], close: () => Promise<void>): DatabaseHandle {
  return {
    db,
    driver: 'pglite' in raw ? 'pglite' : 'postgres',
    schemaName,
    raw,
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close,
  };
}
