import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { availableDrivers, openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import { openDatabase } from './database';
import { migrateDatabase, MIGRATIONS_FOLDER } from './migrate';
import { insertRefreshToken, lockRefreshToken, markRefreshTokenRotated, revokeRefreshTokensOfSession } from './refresh-tokens-repository';
import { findSession, insertSession, revokeSession } from './sessions-repository';
import { findUserByEmail, findUserById, insertUser, setUserRole } from './users-repository';

it('keeps every migration unqualified, so it runs in the configured schema', () => {
  for (const file of readdirSync(MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql'))) {
    expect(readFileSync(join(MIGRATIONS_FOLDER, file), 'utf8')).not.toContain('"public".');
  }
});

const onPostgres = process.env.DATABASE_URL ? it : it.skip;

onPostgres('lets two instances migrate one fresh schema at the same time', async () => {
  const schemaName = `test_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const instances = await Promise.all([1, 2].map(() => openDatabase({ databaseUrl: process.env.DATABASE_URL, schemaName })));
  try {
    await Promise.all(instances.map((instance) => migrateDatabase(instance)));
    const [applied] = await selectRows<{ n: number }>(instances[0]!.db, sql`SELECT count(*)::int AS n FROM __drizzle_migrations`);
    expect(applied?.n).toBe(readdirSync(MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql')).length);
  } finally {
    await instances[0]?.db.execute(sql.raw(`DROP SCHEMA "${schemaName}" CASCADE`));
    await Promise.all(instances.map((instance) => instance.close()));
  }
});

describe.each(availableDrivers())('storage on %s', (driver) => {
  let database: TestDatabase;
  const now = new Date('2026-01-15T10:00:00.123Z');

  beforeAll(async () => {
    database = await openTestDatabase(driver);
  });
  beforeEach(() => database.reset());
  afterAll(() => database.close());

  async function aUser(email = 'ada@example.com') {
    const user = await insertUser(database.db, { id: randomUUID(), email, passwordHash: '$argon2id$fake', role: 'user', now });
    if (user === undefined) throw new Error('user not inserted');
    return user;
  }

  it('creates the tables and the migrations table in the service schema, not in public', async () => {
    const tables = await selectRows<{ table_schema: string }>(
      database.db,
      // Only this schema and public: other schemas on a shared server belong to other tests and services.
      sql`SELECT table_schema, table_name FROM information_schema.tables
          WHERE table_name IN ('users', 'sessions', 'refresh_tokens', '__drizzle_migrations') AND table_schema IN (${database.schemaName}, 'public')
          ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_schema)).toEqual(Array(4).fill(database.schemaName));
  });

  it('applies migrations idempotently', async () => {
    await migrateDatabase(database);
    const applied = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM __drizzle_migrations`);
    expect(applied).toEqual([{ n: readdirSync(MIGRATIONS_FOLDER).filter((name) => name.endsWith('.sql')).length }]);
  });

  it('round-trips a user with millisecond timestamps and finds it by email and id', async () => {
    const user = await aUser();
    expect(user.createdAt.toISOString()).toBe(now.toISOString());
    expect((await findUserByEmail(database.db, 'ada@example.com'))?.id).toBe(user.id);
    expect((await findUserById(database.db, user.id))?.email).toBe('ada@example.com');
    expect(user.bannedAt).toBeNull();
    expect(user.banReason).toBeNull();
  });

  it('refuses a second account with the same email and an upper-case email', async () => {
    await aUser();
    expect(await insertUser(database.db, { id: randomUUID(), email: 'ada@example.com', passwordHash: 'x', role: 'user', now })).toBeUndefined();
    await expect(insertUser(database.db, { id: randomUUID(), email: 'Bob@example.com', passwordHash: 'x', role: 'user', now })).rejects.toThrow();
  });

  it('changes a role', async () => {
    const user = await aUser();
    const later = new Date(now.getTime() + 5000);
    expect(await setUserRole(database.db, user.id, 'admin', later)).toMatchObject({ role: 'admin', updatedAt: later });
  });

  it('revokes a session once, keeping the first reason, and revokes its refresh tokens', async () => {
    const user = await aUser();
    const sessionId = randomUUID();
    await insertSession(database.db, { id: sessionId, userId: user.id, now });
    await insertRefreshToken(database.db, { tokenHash: 'a'.repeat(64), sessionId, family: sessionId, now, expiresAt: new Date(now.getTime() + 1000) });
    await insertRefreshToken(database.db, { tokenHash: 'b'.repeat(64), sessionId, family: sessionId, now, expiresAt: new Date(now.getTime() + 1000) });
    expect(await revokeSession(database.db, sessionId, 'refresh_token_reused', now)).toMatchObject({ revokeReason: 'refresh_token_reused' });
    expect(await revokeSession(database.db, sessionId, 'signout', now)).toBeUndefined();
    expect((await findSession(database.db, sessionId))?.revokeReason).toBe('refresh_token_reused');
    expect(await revokeRefreshTokensOfSession(database.db, sessionId, now)).toBe(2);
    expect(await revokeRefreshTokensOfSession(database.db, sessionId, now)).toBe(0);
  });

  it('makes a second transaction locking the same refresh token wait for the first to commit', async () => {
    const user = await aUser();
    const sessionId = randomUUID();
    const tokenHash = 'c'.repeat(64);
    await insertSession(database.db, { id: sessionId, userId: user.id, now });
    await insertRefreshToken(database.db, { tokenHash, sessionId, family: sessionId, now, expiresAt: new Date(now.getTime() + 1000) });

    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstLocked!: () => void;
    const firstHasLock = new Promise<void>((resolve) => (firstLocked = resolve));
    const first = database.db.transaction(async (tx) => {
      await lockRefreshToken(tx, tokenHash);
      firstLocked();
      await firstMayCommit;
      await markRefreshTokenRotated(tx, tokenHash, 'd'.repeat(64), now);
    });
    await firstHasLock;
    const second = database.db.transaction((tx) => lockRefreshToken(tx, tokenHash));
    if (driver === 'postgres') {
      // Wait until the second transaction is really blocked on the row lock (an observable event, no sleep).
      for (;;) {
        const [waiting] = await selectRows<{ n: number }>(
          database.db,
          sql`SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%refresh_tokens%for update%'`,
        );
        if (waiting !== undefined && waiting.n > 0) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    releaseFirst();
    await first;
    expect((await second)?.rotatedAt?.toISOString()).toBe(now.toISOString());
  });
});
