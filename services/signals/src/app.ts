import { createErrorHandler, createRequestLogger } from '@veto/service-kit';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SigningKey } from './domain/signing-key';
import { SignalsError } from './errors';
import { createOperationsRoutes } from './entry-points/http/operations-routes';
import { HTTP_ERRORS } from './entry-points/http/problem-details';
import { createStreamManagementRoutes } from './entry-points/http/stream-management-routes';
import { createTransmitterRoutes } from './entry-points/http/transmitter-routes';

/** Everything the HTTP app is built from; `main.ts` passes real ones, tests their own. */
export interface AppDeps {
  /** `SIGNALS_ISSUER`: the metadata's `issuer` and the base of its URLs. */
  readonly issuer: string;
  /** The signing key; only its public half is served. */
  readonly key: SigningKey;
  readonly logger: Logger;
  /** Receives the HTTP histogram; default metrics are the caller's choice. */
  readonly metricsRegistry: Registry;
}

/**
 * Builds the signals service's express app from injected dependencies. No I/O happens here.
 *
 * @param deps - see {@link AppDeps}
 * @returns the express app
 * @throws Error from prom-client when the registry already holds the app's metrics
 * @example
 * const app = createApp({ issuer: config.issuer, key, logger, metricsRegistry });
 * app.listen(config.port);
 */
export function createApp(deps: AppDeps): Express {
  const { logger, metricsRegistry } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(createRequestLogger({ logger, metricsRegistry }));
  app.use(createOperationsRoutes({ metricsRegistry }));
  app.use(createTransmitterRoutes({ issuer: deps.issuer, key: deps.key }));
  app.use(createStreamManagementRoutes());
  app.use((req, _res, next) => {
    next(new SignalsError('NOT_FOUND', `No route for ${req.method} ${req.path}`));
  });
  app.use(
    createErrorHandler({
      logger,
      errors: HTTP_ERRORS,
      // RFC 6750 §3: a refused bearer credential names the scheme and the error.
      headersFor: (_error, status): Record<string, string> => (status === 401 ? { 'WWW-Authenticate': 'Bearer realm="veto-signals", error="invalid_token"' } : {}),
    }),
  );
  return app;
}
