import type { VetoEvent } from '@veto/events';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import type { AccessTokenSettings } from './issue-access-token';
import type { PasswordHasher } from './password-hasher';
import type { SignInLimiter } from './sign-in-limiter';

/** What the account and session use cases need; built once by `createApp`. */
export interface AuthContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly passwords: PasswordHasher;
  readonly accessTokens: AccessTokenSettings;
  readonly refreshTokenTtlSeconds: number;
  readonly signInLimiter: SignInLimiter;
  /**
   * Called right after a transaction that wrote outbox rows commits, with their events: the
   * outbox relay publishes them at once (the rows were leased to this instance when written),
   * so an event usually reaches JetStream within a millisecond instead of at the next poll.
   */
  readonly onEventsRecorded: (events: readonly VetoEvent[]) => void;
}
