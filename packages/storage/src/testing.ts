import { randomBytes } from 'node:crypto';
import Module from 'node:module';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { openDatabase, type DatabaseDriver, type DatabaseHandle, type DrizzleSchema } from './database';
import { migrateDatabase } from './migrate-database';

/**
 * The drivers tests can run against: PGlite always, PostgreSQL when `DATABASE_URL` is set.
 * Test helpers are the one place this package reads the environment.
 *
 * @param env - where to look for `DATABASE_URL`; `process.env` by default
 * @example
 * describe.each(availableDrivers())('tickets repository on %s', (driver) => { ... });
 */
export function availableDrivers(env: Readonly<Record<string, string | undefined>> = process.env): DatabaseDriver[] {
  return env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

// Node's own loader, not jest's (jest patches `require` and `createRequire`): PGlite loaded
// through it runs outside the jest sandbox, where its dynamic import() of Node built-ins
// works without --experimental-vm-modules. `_load` is undocumented but stable since Node 0.x.
const nodeLoad = (Module as unknown as { _load(request: string, parent: null, isMain: boolean): unknown })._load;

/**
 * Creates a PGlite client loaded outside jest's module sandbox; pass it as `createPglite`.
 *
 * @param dataDir - data directory, or undefined for in-memory
 * @param options - the PGlite options `openDatabase` passes (its start parameters)
 * @example
 * await openDatabase({ schemaName: 'tickets', schema, createPglite: createSandboxFreePglite });
 */
export function createSandboxFreePglite(dataDir: string | undefined, options?: PGliteOptions): PGlite {
  const { PGlite: OutsidePGlite } = nodeLoad(require.resolve('@electric-sql/pglite'), null, false) as typeof import('@electric-sql/pglite');
  // One options object: PGlite ignores its second argument when the first is not a string.
  return new OutsidePGlite({ ...options, dataDir });
}

/**
 * The names of every table declared in a drizzle schema object (relations and other
 * exports are skipped).
 *
 * @param schema - the drizzle schema object
 * @example
 * tableNames({ users, sessions }) // ['users', 'sessions']
 */
export function tableNames(schema: DrizzleSchema): string[] {
  return Object.values(schema)
    .filter((value): value is PgTable => is(value, PgTable))
    .map((table) => getTableName(table));
}

/** Options of {@link openTestDatabase}. */
export interface OpenTestDatabaseOptions<TSchema extends DrizzleSchema> {
  /** The service's drizzle schema object; `reset()` empties each of its tables. */
  readonly schema: TSchema;
  /** The schema name on PGlite, and the prefix of the random schema on PostgreSQL. */
  readonly schemaName: string;
  /** The service's drizzle-kit migrations folder. */
  readonly migrationsFolder: string;
  /** Defaults to PostgreSQL when `DATABASE_URL` is set, else PGlite. */
  readonly driver?: DatabaseDriver;
  /** The PostgreSQL URL; `process.env.DATABASE_URL` by default. */
  readonly databaseUrl?: string | undefined;
}

/** A migrated database for one test file, with a reset between tests. */
export interface TestDatabase<TSchema extends DrizzleSchema> extends DatabaseHandle<TSchema> {
  /** Empties every table of the schema object. */
  reset(): Promise<void>;
}

/**
 * Opens ONE migrated database for a test file: in-memory PGlite, or a fresh random schema
 * on PostgreSQL (dropped on close), so parallel test files never collide. PGlite takes a
 * second or two to open: call this in `beforeAll`, and `reset()` in `beforeEach`.
 *
 * @param options - see {@link OpenTestDatabaseOptions}
 * @throws {TypeError} when the driver is `postgres` and no database URL is known, or the options are invalid
 * @throws {StorageError} `DATABASE_UNAVAILABLE` / `MIGRATION_FAILED` as `openDatabase` and `migrateDatabase`
 * @example
 * let database: TestDatabase<typeof schema>;
 * beforeAll(async () => { database = await openTestDatabase({ schema, schemaName: 'tickets', migrationsFolder: MIGRATIONS_FOLDER }); });
 * beforeEach(() => database.reset());
 * afterAll(() => database.close());
 */
export async function openTestDatabase<TSchema extends DrizzleSchema>(options: OpenTestDatabaseOptions<TSchema>): Promise<TestDatabase<TSchema>> {
  const databaseUrl = 'databaseUrl' in options ? options.databaseUrl : process.env.DATABASE_URL;
  const driver = options.driver ?? (databaseUrl ? 'postgres' : 'pglite');
  if (driver === 'postgres' && !databaseUrl) {
    throw new TypeError('openTestDatabase on postgres needs DATABASE_URL');
  }
  const tables = tableNames(options.schema);
  const schemaName = driver === 'postgres' ? `${options.schemaName.slice(0, 40)}_test_${randomBytes(6).toString('hex')}` : options.schemaName;
  const handle = await openDatabase({
    databaseUrl: driver === 'postgres' ? databaseUrl : undefined,
    schemaName,
    schema: options.schema,
    createPglite: createSandboxFreePglite,
  });
  try {
    await migrateDatabase(handle, { migrationsFolder: options.migrationsFolder });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const truncate = sql.raw(`TRUNCATE ${tables.map((name) => `"${name}"`).join(', ')} RESTART IDENTITY CASCADE`);
  return {
    ...handle,
    reset: async () => {
      if (tables.length > 0) await handle.db.execute(truncate);
    },
    close: async () => {
      try {
        if (driver === 'postgres') await handle.db.execute(sql.raw(`DROP SCHEMA "${schemaName}" CASCADE`));
      } finally {
        await handle.close();
      }
    },
  };
}
