import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import type { AccessTokenSettings } from './issue-access-token';
import type { PasswordHasher } from './password-hasher';
import type { RateLimiter } from './rate-limiter';

/** What the account and session use cases need; built once by `createApp`. */
export interface AuthContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly accessTokens: AccessTokenSettings;
  readonly refreshTokenTtlSeconds: number;
  readonly signInLimiters: { readonly perEmail: RateLimiter; readonly perIp: RateLimiter };
  /**
   * Called right after a transaction that wrote outbox rows commits: wakes the outbox relay,
   * so an event is usually published within a millisecond instead of at the next poll.
   */
  readonly onEventsRecorded: () => void;
}
