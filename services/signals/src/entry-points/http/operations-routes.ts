import { Router } from 'express';
import type { Registry } from 'prom-client';

/** What the operations routes report on. */
export interface OperationsDeps {
  readonly metricsRegistry: Registry;
  /** The AUTH consumer's state; without it (an app not wired to NATS), `/readyz` checks the key only. */
  readonly consumer?: () => { readonly ready: boolean; readonly state: string };
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` and `GET /metrics` (Prometheus text format).
 * The key is loaded and the database migrated before the service listens; what can go away later
 * is the AUTH consumer: when it stopped or failed, no new Veto event becomes a SET, so `/readyz`
 * answers 503 naming its state (the process also exits on a failed consumer, for a restart).
 *
 * @param deps - see {@link OperationsDeps}
 * @returns the router
 * @example
 * app.use(createOperationsRoutes({ metricsRegistry, consumer: () => consumerReadiness(consumer) }));
 */
export function createOperationsRoutes(deps: OperationsDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.status(200).json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const consumer = deps.consumer?.();
    const checks = { signingKey: 'loaded', ...(consumer === undefined ? {} : { authConsumer: consumer.state }) };
    const ready = consumer?.ready ?? true;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metricsRegistry.contentType).send(await deps.metricsRegistry.metrics());
  });
  return router;
}
