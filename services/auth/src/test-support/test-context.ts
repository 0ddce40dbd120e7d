import type { VetoEvent } from '@veto/events';
import type { Database } from '../data-access/database';
import type { AuthContext } from '../domain/auth-context';
import type { PasswordHasher } from '../domain/password-hasher';
import { createSignInLimiter } from '../domain/sign-in-limiter';
import { createSigningKeys } from '../domain/signing-keys';
import { generateTestKeyPem, type TestClock } from './test-app';

/**
 * An auth context for tests of the domain functions, without HTTP: a fresh signing key,
 * 15-minute access tokens, 1-hour refresh tokens and the given sign-in limits (60 s windows).
 *
 * @param deps - database, clock, password hasher, and failures allowed per email and per IP
 * @example
 * const context = createTestContext({ db: database.db, clock, passwords, perEmailLimit: 2 });
 */
export function createTestContext(deps: {
  db: Database;
  clock: TestClock;
  passwords: PasswordHasher;
  perEmailLimit?: number;
  perIpLimit?: number;
  onEventsRecorded?: (events: readonly VetoEvent[]) => void;
}): AuthContext {
  const { clock } = deps;
  return {
    db: deps.db,
    clock,
    passwords: deps.passwords,
    accessTokens: { keys: createSigningKeys({ privateKeyPem: generateTestKeyPem() }), issuer: 'veto-auth', audience: 'veto', ttlSeconds: 900, clock },
    refreshTokenTtlSeconds: 3600,
    signInLimiter: createSignInLimiter({ db: deps.db, clock, perEmail: deps.perEmailLimit ?? 10, perIp: deps.perIpLimit ?? 30, windowSeconds: 60 }),
    onEventsRecorded: deps.onEventsRecorded ?? (() => undefined),
  };
}
