import { Router } from 'express';
import type { Registry } from 'prom-client';

/**
 * `GET /healthz` (the process answers), `GET /readyz` and `GET /metrics` (Prometheus text format).
 * Nothing the service depends on can go away yet: its key is loaded before it listens, and it
 * neither consumes the bus nor stores anything, so /readyz answers 200 while it runs. The
 * consumer and the stream store will add their checks here.
 *
 * @param deps - the metrics registry
 * @returns the router
 * @example
 * app.use(createOperationsRoutes({ metricsRegistry }));
 */
export function createOperationsRoutes(deps: { readonly metricsRegistry: Registry }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    res.status(200).json({ status: 'ready', checks: { signingKey: 'loaded' } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metricsRegistry.contentType).send(await deps.metricsRegistry.metrics());
  });
  return router;
}
