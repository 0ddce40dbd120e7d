import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { createTestClock } from '../test-support/test-app';
import { createTestContext } from '../test-support/test-context';
import { openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import type { AuthContext } from './auth-context';
import { banUser } from './ban-user';
import { createPasswordHasher, type PasswordHasher } from './password-hasher';
import { revokeUserSessions } from './revoke-user-sessions';
import { signOut } from './sign-out';
import { signUp } from './sign-up';
import { unbanUser } from './unban-user';

// "The outbox row is written inside the transaction of the change it announces", proven by
// making that transaction fail with triggers of this test's database, at two points:
// - the outbox INSERT itself fails: the change must not be committed (it would be if the insert
//   ran after the commit);
// - the COMMIT fails, after every statement ran (deferred constraint triggers on the changed
//   tables): no outbox row may exist (one would if the insert ran on another connection or
//   before the transaction).
let database: TestDatabase;
let passwords: PasswordHasher;
let context: AuthContext;

beforeAll(async () => {
  database = await openTestDatabase();
  passwords = await createPasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 });
  await database.db.execute(sql`CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$`);
});
beforeEach(async () => {
  await database.reset();
  context = createTestContext({ db: database.db, clock: createTestClock(), passwords });
});
afterEach(async () => {
  await database.db.execute(sql`DROP TRIGGER IF EXISTS fail_outbox_insert ON outbox`);
  await database.db.execute(sql`DROP TRIGGER IF EXISTS fail_commit_users ON users`);
  await database.db.execute(sql`DROP TRIGGER IF EXISTS fail_commit_sessions ON sessions`);
});
afterAll(() => database.close());

const ADMIN_ID = randomUUID();

interface Scenario {
  /** Brings the user to where the action changes something; returns the action. */
  readonly prepare: (user: { id: string; refreshToken: string }) => Promise<() => Promise<unknown>>;
}

const SCENARIOS: Record<string, Scenario> = {
  'ban (user.banned)': { prepare: async (user) => () => banUser(context, { actorId: ADMIN_ID, userId: user.id, reason: 'fraud' }) },
  'unban (user.unbanned)': {
    prepare: async (user) => {
      await banUser(context, { actorId: ADMIN_ID, userId: user.id, reason: 'fraud' });
      return () => unbanUser(context, { actorId: ADMIN_ID, userId: user.id, reason: undefined });
    },
  },
  'revoke sessions (user.sessions_revoked)': {
    prepare: async (user) => () => revokeUserSessions(context, { actorId: ADMIN_ID, userId: user.id, reason: 'lost laptop' }),
  },
  'sign-out (session.revoked)': { prepare: async (user) => () => signOut(context, { refreshToken: user.refreshToken }) },
};

const INJECTIONS = {
  'the outbox insert fails': [sql`CREATE TRIGGER fail_outbox_insert BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION injected_failure()`],
  'the commit fails after every statement': [
    sql`CREATE CONSTRAINT TRIGGER fail_commit_users AFTER UPDATE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION injected_failure()`,
    sql`CREATE CONSTRAINT TRIGGER fail_commit_sessions AFTER UPDATE ON sessions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION injected_failure()`,
  ],
};

/**
 * The messages of an error and its causes: drizzle wraps a failed query's driver error, not a
 * failed COMMIT on PGlite. Duck-typed: PGlite's errors are not instances of this realm's Error.
 */
function messagesOf(error: unknown): string[] {
  if (typeof error !== 'object' || error === null) {
    return [];
  }
  const { message, cause } = error as { message?: unknown; cause?: unknown };
  return [String(message), ...messagesOf(cause)];
}

/** Everything an admin action or a sign-out may change, and the outbox. */
async function state(): Promise<unknown> {
  return {
    users: await selectRows(database.db, sql`SELECT id, banned_at, ban_reason, ban_event_id, updated_at FROM users ORDER BY id`),
    sessions: await selectRows(database.db, sql`SELECT id, revoked_at, revoke_reason FROM sessions ORDER BY id`),
    refreshTokens: await selectRows(database.db, sql`SELECT token_hash, revoked_at FROM refresh_tokens ORDER BY token_hash`),
    auditLog: await selectRows(database.db, sql`SELECT id FROM audit_log ORDER BY id`),
    outbox: await selectRows(database.db, sql`SELECT id, type FROM outbox ORDER BY seq`),
  };
}

describe('an event is committed exactly with the change it announces', () => {
  describe.each(Object.keys(SCENARIOS))('%s', (name) => {
    it.each(Object.keys(INJECTIONS) as (keyof typeof INJECTIONS)[])('when %s, neither the change nor its outbox row is committed', async (injection) => {
      const tokens = await signUp(context, { email: 'ada@example.com', password: 'correct horse battery' });
      const action = await SCENARIOS[name]!.prepare({ id: tokens.user.id, refreshToken: tokens.refreshToken });
      const before = await state();
      for (const statement of INJECTIONS[injection]) {
        await database.db.execute(statement);
      }
      const error = await action().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(messagesOf(error)).toContain('injected failure');
      expect(await state()).toEqual(before);
    });
  });

  it.each(Object.keys(SCENARIOS))('%s writes its change and its outbox row without an injected failure', async (name) => {
    const tokens = await signUp(context, { email: 'ada@example.com', password: 'correct horse battery' });
    const action = await SCENARIOS[name]!.prepare({ id: tokens.user.id, refreshToken: tokens.refreshToken });
    const before = (await state()) as { outbox: unknown[] };
    await action();
    const after = (await state()) as { outbox: unknown[] };
    expect(after.outbox).toHaveLength(before.outbox.length + 1);
  });
});
