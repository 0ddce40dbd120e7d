import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import type { NatsConnection } from '@veto/events';
import type { TestDatabase } from '@veto/storage/testing';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createApp } from '../app';
import { systemClock, type Clock } from '../clock';
import { loadConfig } from '../config';
import type { schema } from '../data-access/schema';
import { createTokenVerification, type TokenVerification } from '../token-verification';
import type { TestStreams } from './test-bus';

/** A tickets app on a test database and a test bus. */
export interface TestApp extends TokenVerification {
  readonly app: Express;
  readonly metricsRegistry: Registry;
  /** Stops the revocation feed. */
  stop(): Promise<void>;
}

/**
 * Builds the real app with a real revocation feed on the test bus, verifying tokens signed by
 * `@veto/auth-lib/testing` (its issuer, audience and key). The feed is NOT awaited: tests of
 * readiness see it catch up; others `await testApp.feed.ready`.
 *
 * @param deps - the test database, a NATS connection and the test's streams; optional clock and logger
 * @param env - configuration overrides with the real variable names, e.g. `{ ACCESS_TOKEN_TTL_SECONDS: '60' }`
 * @example
 * const { app, feed } = createTestApp({ database, nc, streams: bus });
 * await feed.ready;
 */
export function createTestApp(
  deps: { database: TestDatabase<typeof schema>; nc: NatsConnection; streams: TestStreams; clock?: Clock; logger?: Logger },
  env: Record<string, string> = {},
): TestApp {
  const config = loadConfig({ JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE, ...env });
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? pino({ level: 'silent' });
  const verification = createTokenVerification({
    nc: deps.nc,
    keys: testJwks(),
    config,
    clock,
    logger,
    stream: deps.streams.stream,
    subjectPrefix: deps.streams.subjectPrefix,
  });
  const metricsRegistry = new Registry();
  const app = createApp({ database: deps.database, ...verification, clock, logger, metricsRegistry, origins: config });
  return { ...verification, app, metricsRegistry, stop: () => verification.feed.stop() };
}

/**
 * A valid access token of a user, issued now, as the auth service would sign it.
 *
 * @param userId - the `sub` claim
 * @param overrides - other claims, or signing options such as `now`
 * @example
 * await request(app).get('/api/tickets').set('authorization', `Bearer ${tokenFor('u1')}`);
 */
export function tokenFor(userId: string, overrides: { now?: number; ttlSeconds?: number } = {}): string {
  return signTestToken({ sub: userId }, overrides);
}
