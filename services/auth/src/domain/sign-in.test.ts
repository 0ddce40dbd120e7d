import { eq } from 'drizzle-orm';
import { users } from '../data-access/schema';
import { findSession } from '../data-access/sessions-repository';
import { AuthError, RateLimitedError } from '../errors';
import { createTestClock, type TestClock } from '../test-support/test-app';
import { countVerifications } from '../test-support/counting-password-hasher';
import { createTestContext } from '../test-support/test-context';
import { openTestDatabase, type TestDatabase } from '../test-support/test-database';
import type { AuthContext } from './auth-context';
import { createPasswordHasher, type PasswordHasher } from './password-hasher';
import { signIn } from './sign-in';
import { signUp } from './sign-up';

// The real hasher, wrapped only to count argon2 verifications: the equal-cost promise of
// sign-in is "exactly one verification per attempt that reaches the password check".
let database: TestDatabase;
let real: PasswordHasher;
let verifications: string[];
let clock: TestClock;
let context: AuthContext;

const password = 'correct horse battery';
const ip = '203.0.113.7';

beforeAll(async () => {
  database = await openTestDatabase();
  real = await createPasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 });
});
beforeEach(async () => {
  await database.reset();
  clock = createTestClock();
  const counting = countVerifications(real);
  verifications = counting.verifications;
  context = createTestContext({ db: database.db, clock, passwords: counting, perEmailLimit: 2, perIpLimit: 5 });
  await signUp(context, { email: 'ada@example.com', password });
});
afterAll(() => database.close());

async function failure(attempt: Promise<unknown>): Promise<AuthError> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof AuthError) {
      return error;
    }
    throw error;
  }
  throw new Error('sign-in succeeded');
}

describe('signIn', () => {
  it('starts a live session for the right password', async () => {
    const tokens = await signIn(context, { email: 'ada@example.com', password, clientIp: ip });
    expect(verifications).toEqual(['verify']);
    expect((await findSession(database.db, tokens.sessionId))?.revokedAt).toBeNull();
  });

  it('pays one argon2 verification for an unknown email, against the dummy hash, and answers like a wrong password', async () => {
    const unknown = await failure(signIn(context, { email: 'nobody@example.com', password, clientIp: ip }));
    expect(verifications).toEqual(['dummy']);
    const wrong = await failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: ip }));
    expect(verifications).toEqual(['dummy', 'verify']);
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
  });

  it('checks the password before the ban: USER_BANNED only with the right password', async () => {
    await database.db
      .update(users)
      .set({ bannedAt: new Date(clock()), banReason: 'test' })
      .where(eq(users.email, 'ada@example.com'));
    expect((await failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: ip }))).code).toBe('INVALID_CREDENTIALS');
    expect((await failure(signIn(context, { email: 'ada@example.com', password, clientIp: ip }))).code).toBe('USER_BANNED');
    expect(verifications).toEqual(['verify', 'verify']);
  });

  it('refuses a blocked attempt before any password check, until the window has passed', async () => {
    for (let i = 0; i < 2; i += 1) {
      await failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: ip }));
    }
    verifications.length = 0;
    const blocked = await failure(signIn(context, { email: 'ADA@example.com', password, clientIp: '198.51.100.1' }));
    expect(blocked).toBeInstanceOf(RateLimitedError);
    expect((blocked as RateLimitedError).retryAfterSeconds).toBe(60);
    expect(verifications).toEqual([]);
    clock.advance(60_000);
    await signIn(context, { email: 'ada@example.com', password, clientIp: ip });
  });

  it('counts only failures: successes neither count nor reset the counter', async () => {
    await failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: ip }));
    for (let i = 0; i < 3; i += 1) {
      await signIn(context, { email: 'ada@example.com', password, clientIp: ip });
    }
    await failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: ip }));
    expect(await failure(signIn(context, { email: 'ada@example.com', password, clientIp: ip }))).toBeInstanceOf(RateLimitedError);
  });

  it('evaluates at most the per-email limit out of 200 parallel wrong passwords; the rest are refused before argon2 with Retry-After', async () => {
    const attempts = Array.from({ length: 200 }, (_, i) => failure(signIn(context, { email: 'ada@example.com', password: 'wrong password', clientIp: `198.51.100.${i}` })));
    const errors = await Promise.all(attempts);
    expect(verifications).toHaveLength(2);
    expect(errors.filter((error) => error.code === 'INVALID_CREDENTIALS')).toHaveLength(2);
    const refused = errors.filter((error): error is RateLimitedError => error instanceof RateLimitedError);
    expect(refused).toHaveLength(198);
    expect(new Set(refused.map((error) => error.retryAfterSeconds))).toEqual(new Set([60]));
  });

  it('evaluates at most the per-IP limit out of 200 parallel attempts on different emails from one IP', async () => {
    const attempts = Array.from({ length: 200 }, (_, i) => failure(signIn(context, { email: `guess${i}@example.com`, password, clientIp: ip })));
    const refused = (await Promise.all(attempts)).filter((error): error is RateLimitedError => error instanceof RateLimitedError);
    expect(verifications).toHaveLength(5);
    expect(refused).toHaveLength(195);
    expect(new Set(refused.map((error) => error.retryAfterSeconds))).toEqual(new Set([60]));
  });
});
