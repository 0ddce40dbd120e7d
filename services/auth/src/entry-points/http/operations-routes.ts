import { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DatabaseHandle } from '../../data-access/database';

/**
 * `GET /healthz` (the process answers), `GET /readyz` (the database answers) and
 * `GET /metrics` (Prometheus text format).
 *
 * @param deps - the database to ping, the metrics registry, a logger for failed readiness checks
 * @returns the router
 * @example
 * app.use(createOperationsRoutes({ database, metricsRegistry, logger }));
 */
export function createOperationsRoutes(deps: { database: Pick<DatabaseHandle, 'ping'>; metricsRegistry: Registry; logger: Logger }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await deps.database.ping();
    } catch (error) {
      // Not ready is an answer, not a failure of this request: report it and log why.
      deps.logger.warn({ err: error }, 'readiness check: database does not answer');
      res.status(503).json({ status: 'unavailable', checks: { database: 'down' } });
      return;
    }
    res.status(200).json({ status: 'ready', checks: { database: 'up' } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metricsRegistry.contentType).send(await deps.metricsRegistry.metrics());
  });
  return router;
}
