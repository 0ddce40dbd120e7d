import { sql } from 'drizzle-orm';
import { AuthError, RateLimitedError } from '../errors';
import { createTestClock, type TestClock } from '../test-support/test-app';
import { openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import { createSignInLimiter, type SignInLimiter } from './sign-in-limiter';

let database: TestDatabase;
let clock: TestClock;
let limiter: SignInLimiter;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  clock = createTestClock();
  limiter = createSignInLimiter({ db: database.db, clock, perEmail: 3, perIp: 5, windowSeconds: 60 });
});
afterAll(() => database.close());

const ada = { email: 'ada@example.com', clientIp: '203.0.113.7' };

async function refusal(attempt: Promise<unknown>): Promise<RateLimitedError> {
  const error = await attempt.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof RateLimitedError)) {
    throw new Error(`expected RATE_LIMITED, got ${error instanceof AuthError ? error.code : String(error)}`);
  }
  return error;
}

const counterRows = () => selectRows<{ attempts: number }>(database.db, sql`SELECT attempts FROM sign_in_attempts ORDER BY attempts`);

describe('createSignInLimiter', () => {
  it('reserves at most the limit out of 200 parallel attempts on one email; the rest are refused with the time left in the window', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => limiter.reserve({ email: ada.email, clientIp: `198.51.100.${i}` })));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(3);
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(refused).toHaveLength(197);
    for (const error of refused) {
      expect(error).toBeInstanceOf(RateLimitedError);
      expect((error as RateLimitedError).code).toBe('RATE_LIMITED');
      expect((error as RateLimitedError).retryAfterSeconds).toBe(60);
    }
  });

  it('limits one IP across emails, and a refused attempt counts against neither key', async () => {
    for (let i = 0; i < 5; i += 1) {
      await limiter.reserve({ email: `guess${i}@example.com`, clientIp: ada.clientIp });
    }
    expect((await refusal(limiter.reserve(ada))).retryAfterSeconds).toBe(60);
    // ada's email was never reserved by the refused attempt: three attempts from elsewhere pass.
    for (let i = 0; i < 3; i += 1) {
      await limiter.reserve({ email: ada.email, clientIp: `198.51.100.${i}` });
    }
    await refusal(limiter.reserve({ email: ada.email, clientIp: '198.51.100.9' }));
  });

  it('releases the IP reservation of an attempt refused for its email', async () => {
    for (let i = 0; i < 3; i += 1) {
      await limiter.reserve({ email: ada.email, clientIp: `198.51.100.${i}` });
    }
    await refusal(limiter.reserve(ada));
    for (let i = 0; i < 5; i += 1) {
      await limiter.reserve({ email: `other${i}@example.com`, clientIp: ada.clientIp });
    }
    await refusal(limiter.reserve({ email: 'other9@example.com', clientIp: ada.clientIp }));
  });

  it('counts in a window starting at the first attempt, and admits again once the window has ended', async () => {
    for (let i = 0; i < 3; i += 1) {
      await limiter.reserve(ada);
    }
    clock.advance(15_500);
    const refused = await refusal(limiter.reserve(ada));
    expect(refused.retryAfterSeconds).toBe(45);
    clock.advance(44_000);
    await refusal(limiter.reserve(ada));
    clock.advance(500);
    await limiter.reserve(ada);
  });

  it('gives a released attempt back in its window, and never into a later window', async () => {
    const reservations = [await limiter.reserve(ada), await limiter.reserve(ada), await limiter.reserve(ada)];
    await reservations[0]?.release();
    const fourth = await limiter.reserve(ada);
    await refusal(limiter.reserve(ada));
    clock.advance(60_000);
    const fresh = await limiter.reserve(ada);
    await fourth.release();
    await reservations[1]?.release();
    await limiter.reserve(ada);
    await limiter.reserve(ada);
    await refusal(limiter.reserve(ada));
    await fresh.release();
    await limiter.reserve(ada);
  });

  it('purges the counters of ended windows, so the table holds the keys of one window', async () => {
    for (let i = 0; i < 4; i += 1) {
      await limiter.reserve({ email: `user${i}@example.com`, clientIp: `198.51.100.${i}` });
    }
    expect(await counterRows()).toHaveLength(8);
    clock.advance(60_000);
    await limiter.reserve(ada);
    expect(await counterRows()).toEqual([{ attempts: 1 }, { attempts: 1 }]);
  });

  it.each([{ perEmail: 0 }, { perIp: 1.5 }, { windowSeconds: -1 }])('refuses %p with a TypeError', (bad) => {
    expect(() => createSignInLimiter({ db: database.db, clock, perEmail: 3, perIp: 5, windowSeconds: 60, ...bad })).toThrow(TypeError);
  });
});
