import { createVerifier } from '@veto/auth-lib';
import { BODY_LIMIT, createRequestLogger, crossSiteGuard, requireJsonBodies } from '@veto/service-kit';
import type { VetoEvent } from '@veto/events';
import cookieParser from 'cookie-parser';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from './clock';
import type { Config } from './config';
import type { DatabaseHandle } from './data-access/database';
import type { AuthContext } from './domain/auth-context';
import type { FleetView } from './domain/fleet-view';
import type { PasswordHasher } from './domain/password-hasher';
import { createSignInLimiter } from './domain/sign-in-limiter';
import type { SigningKeys } from './domain/signing-keys';
import { AuthError } from './errors';
import { createAdminConsoleRoutes } from './entry-points/http/admin-console-routes';
import { createAdminRoutes } from './entry-points/http/admin-routes';
import { createAuthRoutes } from './entry-points/http/auth-routes';
import { ACCESS_COOKIE, REFRESH_COOKIE } from './entry-points/http/session-cookies';
import { createIntrospectionRoutes } from './entry-points/http/introspection-routes';
import { createErrorHandler } from './entry-points/http/problem-details';
import { createOperationsRoutes } from './entry-points/http/operations-routes';
import { createUsersRoutes } from './entry-points/http/users-routes';
import { createWellKnownRoutes } from './entry-points/http/well-known-routes';

/** Everything the HTTP app is built from; `main.ts` passes real ones, tests their own. */
export interface AppDeps {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  readonly keys: SigningKeys;
  readonly passwords: PasswordHasher;
  readonly logger: Logger;
  readonly metricsRegistry: Registry;
  /** The live view of the instances' enforcement receipts (fed by `main.ts` from NATS). */
  readonly fleet: FleetView;
  /** Called after every commit that wrote outbox rows, with their events (main hands them to the relay); none by default. */
  readonly onEventsRecorded?: (events: readonly VetoEvent[]) => void;
}

/**
 * Builds the auth service's express app from injected dependencies. No I/O happens
 * here; the caller owns the database and the server.
 *
 * @param deps - config, database, clock, signing keys, password hasher, logger, metrics registry, fleet view
 * @returns the express app
 * @example
 * const app = createApp({ config, database, clock: systemClock, keys, passwords, logger, metricsRegistry, fleet });
 * app.listen(config.port);
 */
export function createApp(deps: AppDeps): Express {
  const { config, clock, keys, logger } = deps;
  const context: AuthContext = {
    db: deps.database.db,
    clock,
    passwords: deps.passwords,
    accessTokens: { keys, issuer: config.issuer, audience: config.audience, ttlSeconds: config.accessTokenTtlSeconds, clock },
    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
    signInLimiter: createSignInLimiter({
      db: deps.database.db,
      clock,
      perEmail: config.signInLimitPerEmail,
      perIp: config.signInLimitPerIp,
      windowSeconds: config.signInWindowSeconds,
    }),
    onEventsRecorded: deps.onEventsRecorded ?? (() => undefined),
  };
  // The service verifies its own tokens with the same library as every other service. No clock
  // skew: it signs them itself, with this clock. Revocations are checked against the database
  // (the source of truth), not through a feed.
  const verifier = createVerifier({
    issuer: config.issuer,
    audience: config.audience,
    keys: [...keys.publicKeys].map(([kid, key]) => ({ kid, key })),
    clockSkewSeconds: 0,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    clock,
  });
  const tokenCheck = { publicKeys: keys.publicKeys, issuer: config.issuer, audience: config.audience };
  const cookies = {
    secure: config.env !== 'local',
    accessTtlSeconds: config.accessTokenTtlSeconds,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(createRequestLogger({ logger, metricsRegistry: deps.metricsRegistry }));
  // Before every route, introspection included (its clients send no Origin and no cookie).
  app.use(crossSiteGuard({ allowedOrigins: config.allowedOrigins, sessionCookies: [ACCESS_COOKIE, REFRESH_COOKIE] }));
  app.use(createOperationsRoutes({ database: deps.database, metricsRegistry: deps.metricsRegistry, logger }));
  app.use(createWellKnownRoutes(keys));
  app.use('/admin', createAdminConsoleRoutes());
  app.use('/api/auth', createIntrospectionRoutes({ db: deps.database.db, verifier, clientSecret: config.introspectionClientSecret, clientId: config.introspectionClientId }));
  app.use(requireJsonBodies());
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(cookieParser());
  app.use('/api/users', createUsersRoutes(context, { verifier, tokenCheck, cookies }));
  app.use('/api/auth', createAuthRoutes(context, { tokenCheck, cookies }));
  app.use('/api/admin', createAdminRoutes(context, { verifier, fleet: deps.fleet }));
  app.use((req, _res, next) => {
    next(new AuthError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(createErrorHandler(logger));
  return app;
}
