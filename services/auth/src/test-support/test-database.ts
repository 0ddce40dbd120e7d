import { randomBytes } from 'node:crypto';
import Module from 'node:module';
import type { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type Database, type DatabaseDriver, type DatabaseHandle } from '../data-access/database';
import { migrateDatabase } from '../data-access/migrate';

/**
 * The drivers tests can run against: PGlite always, PostgreSQL when `DATABASE_URL` is set.
 *
 * @example
 * describe.each(availableDrivers())('users repository on %s', (driver) => { ... });
 */
export function availableDrivers(): DatabaseDriver[] {
  return process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

// Node's own loader, not jest's (jest patches `require` and `createRequire`): PGlite loaded
// through it runs outside the jest sandbox, where its dynamic import() of Node built-ins
// works without --experimental-vm-modules. `_load` is undocumented but stable since Node 0.x.
const nodeLoad = (Module as unknown as { _load(request: string, parent: null, isMain: boolean): unknown })._load;

/**
 * Creates a PGlite client loaded outside jest's module sandbox.
 *
 * @param dataDir - data directory, or undefined for in-memory
 * @example
 * await openDatabase({ schemaName: 'auth', createPglite: createSandboxFreePglite });
 */
export function createSandboxFreePglite(dataDir: string | undefined): PGlite {
  const { PGlite: OutsidePGlite } = nodeLoad(require.resolve('@electric-sql/pglite'), null, false) as typeof import('@electric-sql/pglite');
  return new OutsidePGlite(dataDir);
}

/** A migrated database for one test file, with a reset between tests. */
export interface TestDatabase extends DatabaseHandle {
  /** Empties every table. */
  reset(): Promise<void>;
}

/**
 * Opens ONE migrated database for a test file: in-memory PGlite, or a fresh random
 * schema on `DATABASE_URL` (dropped on close) so parallel test files never collide.
 * PGlite takes seconds to open: call this in `beforeAll`, and `reset()` in `beforeEach`.
 *
 * @param driver - defaults to PostgreSQL when `DATABASE_URL` is set, else PGlite
 * @example
 * let database: TestDatabase;
 * beforeAll(async () => { database = await openTestDatabase(); });
 * beforeEach(() => database.reset());
 * afterAll(() => database.close());
 */
export async function openTestDatabase(driver: DatabaseDriver = process.env.DATABASE_URL ? 'postgres' : 'pglite'): Promise<TestDatabase> {
  const databaseUrl = process.env.DATABASE_URL;
  if (driver === 'postgres' && !databaseUrl) {
    throw new TypeError('openTestDatabase("postgres") needs DATABASE_URL');
  }
  const schemaName = driver === 'postgres' ? `test_${randomBytes(6).toString('hex')}` : 'auth';
  const handle = await openDatabase({ databaseUrl: driver === 'postgres' ? databaseUrl : undefined, schemaName, createPglite: createSandboxFreePglite });
  await migrateDatabase(handle);
  return {
    ...handle,
    reset: async () => {
      await handle.db.execute(sql`TRUNCATE users, sessions, refresh_tokens, outbox, audit_log RESTART IDENTITY CASCADE`);
    },
    close: async () => {
      if (driver === 'postgres') {
        await handle.db.execute(sql.raw(`DROP SCHEMA "${schemaName}" CASCADE`));
      }
      await handle.close();
    },
  };
}

/**
 * Runs a raw query and returns its rows, typed by the caller (both drivers answer `{ rows }`).
 *
 * @param db - database or transaction
 * @param query - the SQL
 * @example
 * const [row] = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM users`);
 */
export async function selectRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as { rows: T[] };
  return result.rows;
}
