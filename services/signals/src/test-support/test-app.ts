import { createVerifier, RevocationCache } from '@veto/auth-lib';
import { createTestClock, signTestToken, TEST_AUDIENCE, TEST_ISSUER as TEST_TOKEN_ISSUER, testJwks, type TestClock } from '@veto/auth-lib/testing';
import type { Express } from 'express';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../app';
import type { SignalsDatabase } from '../data-access/database';
import { PendingSignal } from '../domain/pending-signal';
import type { SigningKey } from '../domain/signing-key';
import { testSigningKey } from './test-keys';

/** The issuer the test apps publish unless told otherwise. */
export const TEST_ISSUER = 'https://signals.example.com';

/** The test app, and what a test of stream management needs to drive and observe it. */
export interface TestApp {
  readonly app: Express;
  readonly key: SigningKey;
  readonly issuer: string;
  /** The app's clock: move it instead of sleeping. */
  readonly clock: TestClock;
  /** The app's wake-up of deliveries: tests wait on it to see a notify. */
  readonly pending: PendingSignal;
  /** The cache the admin token verifier checks: revoke an admin here. */
  readonly revocations: RevocationCache;
}

/**
 * The real app with the test key, a silent logger and its own registry. Given a database, stream
 * management and the admin API are wired to it, with a test clock and a real admin token
 * verifier trusting the `@veto/auth-lib/testing` key ({@link adminToken}); without one, they
 * answer 501 as a process without its database does.
 *
 * @param options - the issuer, the database, `VETO_ENV`, the minimum verification interval
 * @example
 * const { app, key } = createTestApp({ issuer: 'https://example.com/tenant1' });
 * const { app: managed, clock } = createTestApp({ db: database.db });
 */
export function createTestApp(options: { issuer?: string; db?: SignalsDatabase; env?: 'production' | 'local'; minVerificationIntervalSeconds?: number } = {}): TestApp {
  const key = testSigningKey();
  const issuer = options.issuer ?? TEST_ISSUER;
  const clock = createTestClock();
  const pending = new PendingSignal();
  const revocations = new RevocationCache({ accessTokenTtlSeconds: 900, clockSkewSeconds: 30, clock });
  const verifier = createVerifier({ issuer: TEST_TOKEN_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), clock, revocations });
  const management =
    options.db === undefined
      ? undefined
      : {
          db: options.db,
          clock,
          pending,
          adminAuth: { verifier },
          config: { env: options.env ?? 'production', subjectIssuer: 'https://auth.example.com', minVerificationIntervalSeconds: options.minVerificationIntervalSeconds ?? 30 },
        };
  const app = createApp({ issuer, key, logger: pino({ level: 'silent' }), metricsRegistry: new Registry(), ...(management === undefined ? {} : { management }) });
  return { app, key, issuer, clock, pending, revocations };
}

/**
 * An access token as the auth service signs it, for the test app's admin verifier.
 *
 * @param clock - the test app's clock (the token is issued at its time)
 * @param claims - e.g. `{ role: 'user' }` for a non-admin
 * @example
 * await request(app).get('/api/admin/receivers').set('authorization', `Bearer ${adminToken(clock)}`);
 */
export function adminToken(clock: TestClock, claims: Record<string, unknown> = {}): string {
  return signTestToken({ sub: 'admin-1', role: 'admin', ...claims }, { now: clock() });
}
