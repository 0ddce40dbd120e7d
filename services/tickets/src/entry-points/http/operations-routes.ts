import type { RevocationFeed } from '@veto/auth-lib';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TicketsDatabaseHandle } from '../../data-access/database';

/** What the operations routes look at. */
export interface OperationsDeps {
  readonly database: Pick<TicketsDatabaseHandle, 'ping'>;
  readonly feed: Pick<RevocationFeed, 'isReady' | 'state'>;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` (200 once the revocation feed has
 * replayed every revocation that can still matter AND the database answers, 503 before) and
 * `GET /metrics` (Prometheus text format).
 *
 * @param deps - see {@link OperationsDeps}
 * @returns the router
 * @example
 * app.use(createOperationsRoutes({ database, feed, metricsRegistry, logger }));
 */
export function createOperationsRoutes(deps: OperationsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    let database: 'up' | 'down' = 'up';
    try {
      await deps.database.ping();
    } catch (error) {
      // Not ready is an answer, not a failure of this request: report it and log why.
      deps.logger.warn({ err: error }, 'readiness check: database does not answer');
      database = 'down';
    }
    const ready = database === 'up' && deps.feed.isReady;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { database, revocations: deps.feed.state } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metricsRegistry.contentType).send(await deps.metricsRegistry.metrics());
  });
  return router;
}
