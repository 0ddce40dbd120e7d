import { sql } from 'drizzle-orm';
import { AuthError } from '../errors';
import { createTestClock } from '../test-support/test-app';
import { createTestContext } from '../test-support/test-context';
import { availableDrivers, openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import type { AuthContext } from './auth-context';
import { createPasswordHasher } from './password-hasher';
import { signUp } from './sign-up';

describe.each(availableDrivers())('signUp on %s', (driver) => {
  let database: TestDatabase;
  let context: AuthContext;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const passwords = await createPasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 });
    context = createTestContext({ db: database.db, clock: createTestClock(), passwords });
  });
  beforeEach(() => database.reset());
  afterAll(() => database.close());

  it('lets exactly one of concurrent sign-ups with one email (in any case) win; the others get EMAIL_TAKEN', async () => {
    const emails = ['ada@example.com', 'ADA@example.com', 'Ada@Example.com', 'ada@EXAMPLE.com'];
    const outcomes = await Promise.allSettled(emails.map((email) => signUp(context, { email, password: 'correct horse battery' })));
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((reason) => (reason instanceof AuthError ? reason.code : reason))).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN']);
    // The losers' transactions left nothing behind: one user, one session, one refresh token.
    const [counts] = await selectRows<{ users: number; sessions: number; tokens: number }>(
      database.db,
      sql`SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM sessions) AS sessions, (SELECT count(*)::int FROM refresh_tokens) AS tokens`,
    );
    expect(counts).toEqual({ users: 1, sessions: 1, tokens: 1 });
  });
});
