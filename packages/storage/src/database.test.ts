import { randomUUID } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from './database';
import { StorageError } from './errors';
import { migrateDatabase } from './migrate-database';
import { selectRows } from './select-rows';
import { lists, testSchema, TEST_MIGRATIONS_FOLDER } from './test-support/test-schema';
import { createSandboxFreePglite } from './testing';

describe('openDatabase', () => {
  it.each(['Tickets', 'public; DROP TABLE x', '', '1abc', 'a'.repeat(64)])('refuses the schema name %j with a TypeError', async (schemaName) => {
    await expect(openDatabase({ schemaName, schema: testSchema })).rejects.toThrow(TypeError);
  });

  it('refuses a missing schema object and an empty URL with a TypeError', async () => {
    await expect(openDatabase({ schemaName: 'x', schema: undefined as unknown as typeof testSchema })).rejects.toThrow(TypeError);
    await expect(openDatabase({ schemaName: 'x', schema: testSchema, databaseUrl: '' })).rejects.toThrow(TypeError);
  });

  it('answers DATABASE_UNAVAILABLE when PostgreSQL cannot be reached', async () => {
    // Port 1 on loopback refuses connections at once.
    const opening = openDatabase({ schemaName: 'x', schema: testSchema, databaseUrl: 'postgres://nobody@127.0.0.1:1/none' });
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    await expect(opening).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
  });

  it('keeps PGlite data in dataDir across a reopen, in the named schema', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'veto-storage-')), 'pg');
    try {
      const first = await openDatabase({ dataDir, schemaName: 'keeper', schema: testSchema, createPglite: createSandboxFreePglite });
      await migrateDatabase(first, { migrationsFolder: TEST_MIGRATIONS_FOLDER });
      const id = randomUUID();
      await first.db.insert(lists).values({ id, name: 'kept', createdAt: new Date() });
      await first.close();

      const second = await openDatabase({ dataDir, schemaName: 'keeper', schema: testSchema, createPglite: createSandboxFreePglite });
      try {
        expect(await second.db.query.lists.findFirst()).toMatchObject({ id, name: 'kept' });
        const [where] = await selectRows<{ table_schema: string }>(second.db, sql`SELECT table_schema FROM information_schema.tables WHERE table_name = 'lists'`);
        expect(where).toEqual({ table_schema: 'keeper' });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(join(dataDir, '..'), { recursive: true, force: true });
    }
  });

  describe('keeps a PGlite data directory private', () => {
    let parent: string;
    beforeEach(() => {
      parent = mkdtempSync(join(tmpdir(), 'veto-storage-'));
    });
    afterEach(() => rmSync(parent, { recursive: true, force: true }));

    /** Every path under dir (and dir itself) whose mode lets group or others in, with that mode. */
    function openToOthers(dir: string): string[] {
      return [dir, ...readdirSync(dir, { recursive: true, withFileTypes: true }).map((entry) => join(entry.parentPath, entry.name))]
        .filter((path) => (lstatSync(path).mode & 0o077) !== 0)
        .map((path) => `${path} ${(lstatSync(path).mode & 0o777).toString(8)}`);
    }

    async function openWriteClose(dataDir: string): Promise<void> {
      const database = await openDatabase({ dataDir, schemaName: 'private', schema: testSchema, createPglite: createSandboxFreePglite });
      await migrateDatabase(database, { migrationsFolder: TEST_MIGRATIONS_FOLDER });
      await database.db.insert(lists).values({ id: randomUUID(), name: 'secret', createdAt: new Date() });
      await database.close();
    }

    it('creates it 0700 and leaves no file readable by group or others after opening, writing and closing', async () => {
      const dataDir = join(parent, 'pg');
      await openWriteClose(dataDir);
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
      expect(readdirSync(dataDir).length).toBeGreaterThan(10);
      expect(openToOthers(dataDir)).toEqual([]);
    });

    it('tightens an existing 0755 directory, and files a previous version left 0666, on open', async () => {
      const dataDir = join(parent, 'pg');
      await openWriteClose(dataDir);
      chmodSync(dataDir, 0o755);
      const versionFile = join(dataDir, 'PG_VERSION');
      chmodSync(versionFile, 0o666);
      const database = await openDatabase({ dataDir, schemaName: 'private', schema: testSchema, createPglite: createSandboxFreePglite });
      try {
        expect(openToOthers(dataDir)).toEqual([]);
      } finally {
        await database.close();
      }
    });

    it('refuses with DATABASE_UNAVAILABLE a directory it cannot create', async () => {
      const blocked = join(parent, 'blocked');
      // A file where a parent directory should be: mkdir fails before PGlite is started.
      writeFileSync(blocked, '');
      await expect(openDatabase({ dataDir: join(blocked, 'pg'), schemaName: 'private', schema: testSchema, createPglite: createSandboxFreePglite })).rejects.toMatchObject({
        name: 'StorageError',
        code: 'DATABASE_UNAVAILABLE',
      });
    });
  });

  it("starts PGlite with a 16MB buffer pool, not PostgreSQL's 128MB, and its own start parameters kept", async () => {
    const database = await openDatabase({ schemaName: 'small', schema: testSchema, createPglite: createSandboxFreePglite });
    try {
      const [buffers] = await selectRows<{ shared_buffers: string }>(database.db, sql`SHOW shared_buffers`);
      expect(buffers).toEqual({ shared_buffers: '16MB' });
      // One of PGlite's defaults (startParams replaces them when given): still in effect.
      const [workers] = await selectRows<{ max_worker_processes: string }>(database.db, sql`SHOW max_worker_processes`);
      expect(workers).toEqual({ max_worker_processes: '0' });
    } finally {
      await database.close();
    }
  });

  it('answers DATABASE_UNAVAILABLE from ping once the database is closed', async () => {
    const database = await openDatabase({ schemaName: 'closed', schema: testSchema, createPglite: createSandboxFreePglite });
    await database.ping();
    await database.close();
    await expect(database.ping()).rejects.toMatchObject({ name: 'StorageError', code: 'DATABASE_UNAVAILABLE' });
  });
});
