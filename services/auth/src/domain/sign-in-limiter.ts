import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import { findSignInWindow, purgeExpiredSignInAttempts, releaseSignInAttempts, reserveSignInAttempt } from '../data-access/sign-in-attempts-repository';
import { RateLimitedError } from '../errors';

/** Options of the sign-in limiter. */
export interface SignInLimiterOptions {
  /** The database holding the counters: every replica on it shares the limits. */
  readonly db: Database;
  readonly clock: Clock;
  /** Failed attempts allowed per email per window. */
  readonly perEmail: number;
  /** Failed attempts allowed per client IP per window. */
  readonly perIp: number;
  readonly windowSeconds: number;
}

/** An attempt counted against its email and IP; released when it turns out not to be a failure. */
export interface SignInReservation {
  /** Gives the attempt back (the password was right), in the windows it was counted in. */
  release(): Promise<void>;
}

/** Counts sign-in attempts per email and per client IP, in the database. */
export interface SignInLimiter {
  /**
   * Counts an attempt before its password is checked, or refuses it.
   *
   * @throws {RateLimitedError} `RATE_LIMITED` when the email or the IP has used up its window
   */
  reserve(attempt: { email: string; clientIp: string }): Promise<SignInReservation>;
}

/**
 * Creates the sign-in limiter: fixed windows per key, each starting at the key's first attempt
 * after the previous window ended. An attempt is reserved (counted) atomically before the
 * password check, so N parallel attempts on any number of replicas evaluate at most the limit;
 * an attempt whose password was right releases its reservation, so the limits count failures.
 * Expired counters are purged at most once per window by each instance.
 *
 * @param options - database, clock, limits and window length
 * @returns the limiter
 * @throws {TypeError} when a limit or the window is not a positive integer
 * @example
 * const limiter = createSignInLimiter({ db, clock, perEmail: 10, perIp: 30, windowSeconds: 60 });
 * const reservation = await limiter.reserve({ email, clientIp });
 */
export function createSignInLimiter(options: SignInLimiterOptions): SignInLimiter {
  const { db, clock, perEmail, perIp, windowSeconds } = options;
  for (const [name, value] of Object.entries({ perEmail, perIp, windowSeconds })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`${name} must be a positive integer`);
    }
  }
  const windowMs = windowSeconds * 1000;
  let lastPurgeMs = Number.NEGATIVE_INFINITY;

  return {
    async reserve(attempt) {
      const nowMs = clock();
      const now = new Date(nowMs);
      const liveSince = new Date(nowMs - windowMs);
      if (nowMs - lastPurgeMs >= windowMs) {
        lastPurgeMs = nowMs;
        await purgeExpiredSignInAttempts(db, liveSince);
      }
      // The IP first: credential stuffing spreads over many emails from few addresses, and is
      // refused here with one statement.
      const keys = [
        { key: hashKey(`ip:${attempt.clientIp}`), limit: perIp },
        { key: hashKey(`email:${attempt.email}`), limit: perEmail },
      ];
      const reserved: { key: string; windowStart: Date }[] = [];
      for (const { key, limit } of keys) {
        const windowStart = await reserveSignInAttempt(db, { key, limit, now, liveSince });
        if (windowStart === undefined) {
          // Refused attempts are not evaluated, so they count against neither key.
          await releaseSignInAttempts(db, reserved);
          const current = await findSignInWindow(db, key);
          const retryAfterMs = current === undefined ? 0 : current.getTime() + windowMs - nowMs;
          throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
        }
        reserved.push({ key, windowStart });
      }
      return { release: () => releaseSignInAttempts(db, reserved) };
    },
  };
}

// Hashed so that guessed emails and client addresses are not kept readable, and keys have one length.
function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
