import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { Pool } from 'pg';
import { StorageError } from './errors';

/** A drizzle schema object: the tables (and relations) a service declares. */
export type DrizzleSchema = Record<string, unknown>;

/**
 * A drizzle handle on a service schema: the database itself or an open transaction
 * (a drizzle transaction is a database too), so repository functions work in both and
 * callers decide the transaction boundaries.
 */
export type Database<TSchema extends DrizzleSchema> = PgDatabase<PgQueryResultHKT, TSchema>;

/** The driver behind a database handle. */
export type DatabaseDriver = 'pglite' | 'postgres';

/** An open database plus what it takes to check, migrate and close it. */
export interface DatabaseHandle<TSchema extends DrizzleSchema> {
  readonly db: Database<TSchema>;
  readonly driver: DatabaseDriver;
  /** The PostgreSQL schema holding the service's tables and its migrations table. */
  readonly schemaName: string;
  /**
   * Runs a trivial query.
   *
   * @throws {StorageError} `DATABASE_UNAVAILABLE` when the database does not answer
   */
  ping(): Promise<void>;
  /** Closes the pool or the embedded database. */
  close(): Promise<void>;
  /** The driver's own client, for the migrator. */
  readonly raw: { readonly pglite: PGlite } | { readonly pool: Pool };
}

/** Where the database lives and what it holds; see {@link openDatabase}. */
export interface OpenDatabaseOptions<TSchema extends DrizzleSchema> {
  /** PostgreSQL URL; when absent an embedded PGlite database is used. */
  readonly databaseUrl?: string | undefined;
  /**
   * PGlite data directory, created when missing and kept owner-only (the directory 0700, its
   * files without group or other permissions); when absent (and no URL) PGlite runs in memory.
   */
  readonly dataDir?: string | undefined;
  /** Schema for the service's tables, created when missing: a lower-case SQL identifier. */
  readonly schemaName: string;
  /** The service's drizzle schema object (its tables), for typed relational queries. */
  readonly schema: TSchema;
  /**
   * Constructs the PGlite client from the data directory and {@link PGLITE_OPTIONS}; defaults to
   * `new PGlite(dataDir, options)`. Tests under jest pass `createSandboxFreePglite` from
   * `@veto/storage/testing`, because PGlite's `import()` of Node built-ins fails inside jest's
   * module sandbox without `--experimental-vm-modules`.
   */
  readonly createPglite?: (dataDir: string | undefined, options: PGliteOptions) => PGlite;
}

/**
 * How every embedded PGlite database is started: PGlite's own start parameters plus
 * `shared_buffers=16MB` (PostgreSQL's default is 128MB, and wal_buffers follows at 1/32 of it).
 * A service's tables are a few MB, and the WASM heap holding the buffer pool is touched at start,
 * so the default cost ~120 MB of resident memory per process for nothing (docs/benchmarks.md,
 * "Footprint").
 */
const PGLITE_OPTIONS: Readonly<PGliteOptions> = Object.freeze({
  startParams: [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'],
});

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Tells whether a name can be used as a service schema: a plain lower-case SQL identifier,
 * so it never needs quoting rules beyond double quotes and cannot inject SQL.
 *
 * @param name - the candidate schema name
 * @example
 * z.string().refine(isSchemaName, 'must be a lower-case SQL identifier');
 */
export function isSchemaName(name: string): boolean {
  return IDENTIFIER.test(name);
}

function checkOptions<TSchema extends DrizzleSchema>(options: OpenDatabaseOptions<TSchema>): void {
  if (typeof options !== 'object' || options === null) throw new TypeError('openDatabase needs an options object');
  if (typeof options.schemaName !== 'string' || !isSchemaName(options.schemaName)) {
    throw new TypeError(`schemaName must be a lower-case SQL identifier, got ${JSON.stringify(options.schemaName)}`);
  }
  if (typeof options.schema !== 'object' || options.schema === null) throw new TypeError('schema must be the drizzle schema object');
  if (options.databaseUrl !== undefined && (typeof options.databaseUrl !== 'string' || options.databaseUrl === '')) {
    throw new TypeError('databaseUrl must be a non-empty string or undefined');
  }
  if (options.createPglite !== undefined && typeof options.createPglite !== 'function') throw new TypeError('createPglite must be a function');
}

/**
 * Opens a service's database with either driver — a `pg` pool on `databaseUrl`, else
 * embedded PGlite in `dataDir` (or in memory) — and points `search_path` at the service
 * schema, creating it when missing. Tables are declared without a schema, so one
 * PostgreSQL server holds every service (and every test file) in its own schema.
 * Migrations are applied separately with `migrateDatabase`.
 *
 * @param options - see {@link OpenDatabaseOptions}
 * @returns the open handle
 * @throws {TypeError} when the options are invalid (e.g. a schema name that is not a plain lower-case identifier)
 * @throws {StorageError} `DATABASE_UNAVAILABLE` when the database cannot be reached, the schema cannot be created, or the PGlite data directory cannot be made private
 * @example
 * const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: `${config.dataDir}/pg`, schemaName: 'tickets', schema });
 * await migrateDatabase(database, { migrationsFolder: join(__dirname, '..', 'drizzle') });
 */
export async function openDatabase<TSchema extends DrizzleSchema>(options: OpenDatabaseOptions<TSchema>): Promise<DatabaseHandle<TSchema>> {
  checkOptions(options);
  const { schemaName, schema } = options;
  if (options.databaseUrl !== undefined) {
    // The schema must exist before a connection with it on its search_path creates tables.
    // CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent twin (replicas starting
    // together), hence the transaction-scoped advisory lock.
    const setup = new Pool({ connectionString: options.databaseUrl, max: 1 });
    try {
      await setup.query(`BEGIN; SELECT pg_advisory_xact_lock(hashtext('veto-schema:${schemaName}')); CREATE SCHEMA IF NOT EXISTS "${schemaName}"; COMMIT`);
    } catch (error) {
      throw new StorageError('DATABASE_UNAVAILABLE', `cannot create schema ${schemaName} on PostgreSQL`, { cause: error });
    } finally {
      await setup.end();
    }
    const pool = new Pool({ connectionString: options.databaseUrl, options: `-c search_path=${schemaName}` });
    return toHandle(drizzlePostgres({ client: pool, schema }), schemaName, { pool }, () => pool.end());
  }
  const { dataDir } = options;
  if (dataDir !== undefined) {
    makePrivate(dataDir);
  }
  const createPglite = options.createPglite ?? ((path, pgliteOptions) => new PGlite({ ...pgliteOptions, dataDir: path }));
  const pglite = createPglite(dataDir, { ...PGLITE_OPTIONS });
  try {
    await pglite.exec(`CREATE SCHEMA IF NOT EXISTS "${schemaName}"; SET search_path TO "${schemaName}"`);
    if (dataDir !== undefined) {
      // PGlite has just written (on first use, unpacked) its files, with modes of its own.
      tightenFiles(dataDir);
    }
  } catch (error) {
    await pglite.close();
    if (error instanceof StorageError) {
      throw error;
    }
    throw new StorageError('DATABASE_UNAVAILABLE', `cannot open PGlite${dataDir === undefined ? ' in memory' : ` in ${dataDir}`}`, {
      cause: error,
    });
  }
  const close = async (): Promise<void> => {
    await pglite.close();
    if (dataDir !== undefined) {
      tightenFiles(dataDir);
    }
  };
  return toHandle(drizzlePglite({ client: pglite, schema }), schemaName, { pglite }, close);
}

/**
 * Creates the PGlite data directory owner-only (0700), or tightens an existing one, as
 * PostgreSQL insists for its own. PGlite writes its files through Node's fs with modes of its own
 * (0666 whatever the umask), so the directory is what keeps other users out while it runs; the
 * process umask is not touched, since it is the whole process's and PGlite's chmod ignores it.
 *
 * @throws {StorageError} `DATABASE_UNAVAILABLE` when the directory cannot be created or made private (e.g. owned by another user)
 */
function makePrivate(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if ((statSync(dataDir).mode & 0o077) !== 0) {
      chmodSync(dataDir, 0o700);
    }
  } catch (error) {
    throw new StorageError('DATABASE_UNAVAILABLE', `cannot make the PGlite data directory ${dataDir} private (mode 0700)`, { cause: error });
  }
}

/**
 * Removes group and other permissions from everything under the data directory, so the files
 * at rest (and in a copy or backup that keeps modes) are the owner's only. Symbolic links are
 * left alone: chmod would follow them out of the directory.
 *
 * @throws {StorageError} `DATABASE_UNAVAILABLE` when a file cannot be changed
 */
function tightenFiles(dataDir: string): void {
  try {
    for (const entry of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      // undefined: gone since it was listed (PGlite removes temporary files).
      const mode = entry.isSymbolicLink() ? undefined : lstatSync(path, { throwIfNoEntry: false })?.mode;
      if (mode !== undefined && (mode & 0o077) !== 0) {
        chmodSync(path, mode & 0o700);
      }
    }
  } catch (error) {
    throw new StorageError('DATABASE_UNAVAILABLE', `cannot make the files under ${dataDir} private`, { cause: error });
  }
}

function toHandle<TSchema extends DrizzleSchema>(
  db: Database<TSchema>,
  schemaName: string,
  raw: DatabaseHandle<TSchema>['raw'],
  close: () => Promise<void>,
): DatabaseHandle<TSchema> {
  return {
    db,
    driver: 'pglite' in raw ? 'pglite' : 'postgres',
    schemaName,
    raw,
    ping: async () => {
      try {
        await db.execute(sql`select 1`);
      } catch (error) {
        throw new StorageError('DATABASE_UNAVAILABLE', 'the database does not answer', { cause: error });
      }
    },
    close,
  };
}
