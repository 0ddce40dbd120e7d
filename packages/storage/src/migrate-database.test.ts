import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { MIGRATIONS_TABLE, migrateDatabase, qualifiedMigrations } from './migrate-database';
import { selectRows } from './select-rows';
import { testSchema, TEST_MIGRATIONS_FOLDER } from './test-support/test-schema';
import { availableDrivers, openTestDatabase, type TestDatabase } from './testing';

function copyOfTestMigrations(): string {
  const folder = mkdtempSync(join(tmpdir(), 'veto-migrations-'));
  cpSync(TEST_MIGRATIONS_FOLDER, folder, { recursive: true });
  return folder;
}

it('keeps the test migrations unqualified', () => {
  expect(qualifiedMigrations(TEST_MIGRATIONS_FOLDER)).toEqual([]);
});

describe.each(availableDrivers())('migrateDatabase on %s', (driver) => {
  let database: TestDatabase<typeof testSchema>;

  beforeAll(async () => {
    database = await openTestDatabase({ schema: testSchema, schemaName: 'storage', migrationsFolder: TEST_MIGRATIONS_FOLDER, driver });
  });
  afterAll(() => database.close());

  it('creates the tables and the migrations table in the service schema, not in public', async () => {
    const tables = await selectRows<{ table_schema: string; table_name: string }>(
      database.db,
      sql`SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_name IN ('lists', 'items', ${MIGRATIONS_TABLE}) AND table_schema IN ('public', ${database.schemaName})
          ORDER BY table_name`,
    );
    expect(tables).toEqual(['__drizzle_migrations', 'items', 'lists'].map((table_name) => ({ table_schema: database.schemaName, table_name })));
  });

  it('applies migrations idempotently', async () => {
    await migrateDatabase(database, { migrationsFolder: TEST_MIGRATIONS_FOLDER });
    const applied = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM __drizzle_migrations`);
    expect(applied).toEqual([{ n: readdirSync(TEST_MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql')).length }]);
  });

  it('refuses a folder whose migration names the public schema, before touching the database', async () => {
    const folder = copyOfTestMigrations();
    try {
      writeFileSync(join(folder, '0000_init.sql'), 'CREATE TABLE "public"."stray" (id int);');
      await expect(migrateDatabase(database, { migrationsFolder: folder })).rejects.toThrow(TypeError);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('refuses a folder that does not exist with a TypeError', async () => {
    await expect(migrateDatabase(database, { migrationsFolder: join(tmpdir(), 'veto-no-such-folder') })).rejects.toThrow(TypeError);
  });

  it('answers MIGRATION_FAILED and rolls back a migration that fails', async () => {
    const folder = copyOfTestMigrations();
    try {
      // A second migration whose second statement fails: its first statement must not stay.
      writeFileSync(join(folder, '0001_broken.sql'), 'CREATE TABLE "half_done" (id int);\n--> statement-breakpoint\nSELECT * FROM "no_such_table";');
      const journalPath = join(folder, 'meta', '_journal.json');
      const journal = JSON.parse((await import('node:fs')).readFileSync(journalPath, 'utf8')) as { entries: Record<string, unknown>[] };
      journal.entries.push({ idx: 1, version: '7', when: Date.now(), tag: '0001_broken', breakpoints: true });
      writeFileSync(journalPath, JSON.stringify(journal));

      await expect(migrateDatabase(database, { migrationsFolder: folder })).rejects.toMatchObject({ name: 'StorageError', code: 'MIGRATION_FAILED' });
      const halfDone = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`);
      expect(halfDone).toEqual([{ n: 0 }]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
