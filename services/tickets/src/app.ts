import { registerAuthMetrics, type RevocationCache, type RevocationFeed, type Verifier } from '@veto/auth-lib';
import { authenticate, authErrorHandler } from '@veto/auth-lib/express';
import { BODY_LIMIT, createErrorHandler, createRequestLogger, crossSiteGuard, requireJsonBodies } from '@veto/service-kit';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from './clock';
import type { Config } from './config';
import type { TicketsDatabaseHandle } from './data-access/database';
import { TicketsError } from './errors';
import { createOperationsRoutes } from './entry-points/http/operations-routes';
import { HTTP_ERRORS } from './entry-points/http/problem-details';
import { createTicketsRoutes } from './entry-points/http/tickets-routes';

/** The cookie `authenticate` of `@veto/auth-lib` reads the access token from by default. */
const ACCESS_COOKIE = 'veto_access';

/** Everything the HTTP app is built from; `main.ts` passes real ones, tests their own. */
export interface AppDeps {
  readonly database: TicketsDatabaseHandle;
  /** Verifies access tokens; wired to `cache` and `feed`. */
  readonly verifier: Verifier;
  /** The revocation cache the verifier checks, for metrics. */
  readonly cache: RevocationCache;
  /** The revocation feed filling `cache`: readiness, 503 while it catches up, metrics. */
  readonly feed: RevocationFeed;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Receives the HTTP histogram and the auth-lib metrics; default metrics are the caller's choice. */
  readonly metricsRegistry: Registry;
  /** `TRUST_PROXY_HOPS` and `ALLOWED_ORIGINS`, for the cross-site guard; default: no proxy, the service's own origin only. */
  readonly origins?: Pick<Config, 'trustProxy' | 'allowedOrigins'>;
}

/**
 * Builds the tickets service's express app from injected dependencies. No I/O happens here;
 * the caller owns the database, the NATS connection, the feed and the server.
 *
 * @param deps - see {@link AppDeps}
 * @returns the express app
 * @throws Error from prom-client when the registry already holds the app's metrics
 * @example
 * const app = createApp({ database, verifier, cache, feed, clock: systemClock, logger, metricsRegistry });
 * app.listen(config.port);
 */
export function createApp(deps: AppDeps): Express {
  const { logger, metricsRegistry } = deps;
  registerAuthMetrics(metricsRegistry, { verifier: deps.verifier, cache: deps.cache, feed: deps.feed, clock: deps.clock });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.origins?.trustProxy ?? 0);
  app.use(createRequestLogger({ logger, metricsRegistry }));
  // authenticate() accepts the access cookie: a browser's cross-site POST must not ride on it.
  app.use(crossSiteGuard({ allowedOrigins: deps.origins?.allowedOrigins ?? [], sessionCookies: [ACCESS_COOKIE] }));
  app.use(createOperationsRoutes({ database: deps.database, feed: deps.feed, metricsRegistry, logger, clock: deps.clock }));
  app.use(requireJsonBodies());
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use('/api/tickets', authenticate(deps.verifier, { feed: deps.feed }), createTicketsRoutes({ db: deps.database.db, clock: deps.clock }));
  app.use((req, _res, next) => {
    next(new TicketsError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(authErrorHandler());
  app.use(createErrorHandler({ logger, errors: HTTP_ERRORS }));
  return app;
}
