import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../data-access/database';
import { migrateDatabase } from '../data-access/migrate';
import { findUserByEmail, insertUser } from '../data-access/users-repository';
import { runScript } from '../test-support/run-script';
import { createSandboxFreePglite } from '../test-support/test-database';

// The CLI against the embedded database in a temp DATA_DIR, exactly as an operator runs it.
let dataDir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'veto-auth-cli-'));
  env = { DATA_DIR: dataDir, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

async function withDatabase<T>(use: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir: join(dataDir, 'pg'), schemaName: 'auth', createPglite: createSandboxFreePglite });
  try {
    await migrateDatabase(database);
    return await use(database.db);
  } finally {
    await database.close();
  }
}

describe('admin:create', () => {
  it('prints usage and exits 2 without --email, before touching the database', async () => {
    const result = await runScript('cli/create-admin.ts', [], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--email');
  });

  it('creates an admin with the password from ADMIN_PASSWORD', async () => {
    const result = await runScript('cli/create-admin.ts', ['--email', 'Root@Example.com'], { ...env, ADMIN_PASSWORD: 'root password 1' });
    expect(result).toMatchObject({ code: 0, stdout: 'created admin: root@example.com\n' });
    expect((await withDatabase((db) => findUserByEmail(db, 'root@example.com')))?.role).toBe('admin');
  });

  it('promotes an existing user, idempotently', async () => {
    await withDatabase((db) => insertUser(db, { id: randomUUID(), email: 'ada@example.com', passwordHash: '$argon2id$unused', role: 'user', now: new Date() }));
    const promoted = await runScript('cli/create-admin.ts', ['--email', 'ada@example.com', '--password', 'unused password'], env);
    expect(promoted).toMatchObject({ code: 0, stdout: 'promoted to admin: ada@example.com\n' });
    const again = await runScript('cli/create-admin.ts', ['--email', 'ada@example.com', '--password', 'unused password'], env);
    expect(again).toMatchObject({ code: 0, stdout: 'already an admin: ada@example.com\n' });
    expect(await withDatabase((db) => findUserByEmail(db, 'ada@example.com'))).toMatchObject({ role: 'admin', passwordHash: '$argon2id$unused' });
  });

  it('refuses a password shorter than 8 characters', async () => {
    const result = await runScript('cli/create-admin.ts', ['--email', 'x@example.com', '--password', 'short'], env);
    expect(result.code).toBe(2);
  });
});
