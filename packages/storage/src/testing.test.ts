import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { selectRows } from './select-rows';
import { items, lists, testSchema, TEST_MIGRATIONS_FOLDER } from './test-support/test-schema';
import { availableDrivers, openTestDatabase, tableNames, type TestDatabase } from './testing';

it('derives the table names from the schema object, skipping what is not a table', () => {
  expect(tableNames(testSchema)).toEqual(['lists', 'items']);
});

it('offers PostgreSQL only when DATABASE_URL is set', () => {
  expect(availableDrivers({})).toEqual(['pglite']);
  expect(availableDrivers({ DATABASE_URL: 'postgres://x@127.0.0.1/y' })).toEqual(['pglite', 'postgres']);
});

it('refuses postgres without a database URL', async () => {
  await expect(openTestDatabase({ schema: testSchema, schemaName: 's', migrationsFolder: TEST_MIGRATIONS_FOLDER, driver: 'postgres', databaseUrl: undefined })).rejects.toThrow(
    TypeError,
  );
});

describe.each(availableDrivers())('openTestDatabase on %s', (driver) => {
  let database: TestDatabase<typeof testSchema>;

  beforeAll(async () => {
    database = await openTestDatabase({ schema: testSchema, schemaName: 'storage', migrationsFolder: TEST_MIGRATIONS_FOLDER, driver });
  });
  afterAll(() => database.close());

  it('runs on the requested driver', () => {
    expect(database.driver).toBe(driver);
  });

  it('empties every table and restarts identities on reset', async () => {
    const listId = randomUUID();
    await database.db.insert(lists).values({ id: listId, name: 'groceries', createdAt: new Date('2026-01-01T00:00:00.001Z') });
    await database.db.insert(items).values([
      { listId, position: 1 },
      { listId, position: 2 },
    ]);

    await database.reset();

    const counts = await selectRows<{ lists: number; items: number }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM lists) AS lists, (SELECT count(*)::int FROM items) AS items`,
    );
    expect(counts).toEqual([{ lists: 0, items: 0 }]);
    await database.db.insert(lists).values({ id: listId, name: 'again', createdAt: new Date() });
    const [item] = await database.db.insert(items).values({ listId, position: 1 }).returning();
    expect(item?.id).toBe(1);
  });

  if (driver === 'postgres') {
    it('gives each test database its own random schema and drops it on close', async () => {
      const other = await openTestDatabase({ schema: testSchema, schemaName: 'storage', migrationsFolder: TEST_MIGRATIONS_FOLDER, driver });
      expect(other.schemaName).not.toBe(database.schemaName);
      await other.close();
      const left = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = ${other.schemaName}`);
      expect(left).toEqual([{ n: 0 }]);
    });
  }
});
