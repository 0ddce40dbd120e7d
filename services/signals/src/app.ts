import { authErrorHandler } from '@veto/auth-lib/express';
import { BODY_LIMIT, createErrorHandler, createRequestLogger, crossSiteGuard, requireJsonBodies } from '@veto/service-kit';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from './clock';
import type { Config } from './config';
import type { SignalsDatabase } from './data-access/database';
import type { PendingSignal } from './domain/pending-signal';
import { VerificationTooFrequentError } from './domain/request-verification';
import type { SigningKey } from './domain/signing-key';
import type { StreamManagementContext } from './domain/stream-management-context';
import { SignalsError } from './errors';
import { adminOnly, type AdminAuth } from './entry-points/http/admin-auth';
import { createAdminRoutes } from './entry-points/http/admin-routes';
import { createOperationsRoutes } from './entry-points/http/operations-routes';
import { HTTP_ERRORS } from './entry-points/http/problem-details';
import { createPollRoutes, type PollRoutesDeps } from './entry-points/http/poll-routes';
import { createStreamManagementPlaceholder, createStreamManagementRoutes } from './entry-points/http/stream-management-routes';
import { createTransmitterRoutes } from './entry-points/http/transmitter-routes';

/** The cookie `authenticate` of `@veto/auth-lib` reads an admin's access token from (the admin console's). */
const ACCESS_COOKIE = 'veto_access';

/** What stream management (`/ssf/stream`, `/ssf/status`, `/ssf/verify`) and the admin API (`/api/admin`) run on. */
export interface ManagementDeps {
  /** Receivers, streams and the SET outbox. */
  readonly db: SignalsDatabase;
  readonly clock: Clock;
  /** Woken when a request commits a SET (verification, status change, re-drive). */
  readonly pending: PendingSignal;
  /** Checks the admin access tokens of `/api/admin`. */
  readonly adminAuth: AdminAuth;
  /** `VETO_ENV`, `JWT_ISSUER` and `SIGNALS_MIN_VERIFICATION_INTERVAL_SECONDS`. */
  readonly config: Pick<Config, 'env' | 'subjectIssuer' | 'minVerificationIntervalSeconds'>;
}

/** Everything the HTTP app is built from; `main.ts` passes real ones, tests their own. */
export interface AppDeps {
  /** `SIGNALS_ISSUER`: the metadata's `issuer` and the base of its URLs. */
  readonly issuer: string;
  /** The signing key; its public half is served, and it signs verification and stream-updated SETs. */
  readonly key: SigningKey;
  readonly logger: Logger;
  /** Receives the HTTP histogram; default metrics are the caller's choice. */
  readonly metricsRegistry: Registry;
  /**
   * Without it (a process not wired to its database yet), the stream management endpoints answer
   * 501 `NOT_IMPLEMENTED_YET` and `/api/admin` is not served.
   */
  readonly management?: ManagementDeps;
  /** Poll delivery and the AUTH consumer's readiness; without it, no poll route and `/readyz` checks the key only. */
  readonly delivery?: DeliveryDeps;
}

/** What delivery adds to the HTTP app. */
export interface DeliveryDeps {
  /** What `POST /ssf/poll/:streamId` runs on. */
  readonly poll: PollRoutesDeps;
  /** The AUTH consumer's state, for `/readyz`. */
  readonly readiness: () => { readonly ready: boolean; readonly state: string };
}

/**
 * Builds the signals service's express app from injected dependencies. No I/O happens here.
 *
 * @param deps - see {@link AppDeps}
 * @returns the express app
 * @throws Error from prom-client when the registry already holds the app's metrics
 * @example
 * const management = { db: database.db, clock: systemClock, pending, adminAuth: { verifier, feed }, config };
 * const app = createApp({ issuer: config.issuer, key, logger, metricsRegistry, management });
 * app.listen(config.port);
 */
export function createApp(deps: AppDeps): Express {
  const { logger, metricsRegistry } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(createRequestLogger({ logger, metricsRegistry }));
  app.use(createOperationsRoutes({ metricsRegistry, ...(deps.delivery === undefined ? {} : { consumer: deps.delivery.readiness }) }));
  app.use(createTransmitterRoutes({ issuer: deps.issuer, key: deps.key }));
  app.use(requireJsonBodies());
  app.use(express.json({ limit: BODY_LIMIT }));
  const { management } = deps;
  if (management === undefined) {
    app.use(createStreamManagementPlaceholder());
  } else {
    const context: StreamManagementContext = {
      db: management.db,
      clock: management.clock,
      issuer: deps.issuer,
      subjectIssuer: management.config.subjectIssuer,
      key: deps.key,
      pending: management.pending,
      env: management.config.env,
      minVerificationIntervalSeconds: management.config.minVerificationIntervalSeconds,
    };
    app.use(createStreamManagementRoutes(context));
    // The admin console sends the access cookie: a cross-site POST must not ride on it.
    app.use('/api/admin', crossSiteGuard({ allowedOrigins: [], sessionCookies: [ACCESS_COOKIE] }), ...adminOnly(management.adminAuth), createAdminRoutes(context));
  }
  if (deps.delivery !== undefined) app.use(createPollRoutes(deps.delivery.poll));
  app.use((req, _res, next) => {
    next(new SignalsError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(authErrorHandler());
  app.use(
    createErrorHandler({
      logger,
      errors: HTTP_ERRORS,
      headersFor: (error, status): Record<string, string> => {
        // RFC 6750 §3: a refused bearer credential names the scheme and the error.
        if (status === 401) return { 'WWW-Authenticate': 'Bearer realm="veto-signals", error="invalid_token"' };
        // RFC 9110 §10.2.3: when the next verification request will be accepted.
        if (error instanceof VerificationTooFrequentError) return { 'Retry-After': String(error.retryAfterSeconds) };
        return {};
      },
    }),
  );
  return app;
}
