import type { RevocationFeed } from '@veto/auth-lib';
import { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { TicketsDatabaseHandle } from '../../data-access/database';

/**
 * How long the revocation feed may be `degraded` before /readyz answers 503: long enough to ride
 * out a quick reconnect without flapping, short enough that an instance which cannot vouch for its
 * revocations is out of rotation within 2 s of the first revocation it may have missed (with the
 * feed's defaults: a lag is noticed within 500 ms + 1 s, a disconnection at once).
 */
export const REVOCATIONS_DEGRADED_GRACE_MS = 1_000;

/** What the operations routes look at. */
export interface OperationsDeps {
  readonly database: Pick<TicketsDatabaseHandle, 'ping'>;
  readonly feed: Pick<RevocationFeed, 'isReady' | 'state' | 'reason' | 'notCurrentSince'>;
  readonly metricsRegistry: Registry;
  readonly logger: Logger;
  /** Milliseconds since the epoch, the feed's clock; `Date.now` by default. */
  readonly clock?: () => number;
  /** How long a `degraded` feed still counts as ready; {@link REVOCATIONS_DEGRADED_GRACE_MS} by default. */
  readonly revocationsDegradedGraceMs?: number;
}

/**
 * `GET /healthz` (the process answers), `GET /readyz` and `GET /metrics` (Prometheus text format).
 * /readyz answers 200 once the revocation feed has replayed every revocation that can still matter
 * AND the database answers; 503 before, and again while the feed is `failed-closed` or has been
 * `degraded` (not current: disconnected, consumer being recreated, stream missing or reset,
 * lagging) for longer than the grace, with the reason in `checks.reason`.
 *
 * @param deps - see {@link OperationsDeps}
 * @returns the router
 * @example
 * app.use(createOperationsRoutes({ database, feed, metricsRegistry, logger }));
 */
export function createOperationsRoutes(deps: OperationsDeps): Router {
  const router = Router();
  const clock = deps.clock ?? Date.now;
  const graceMs = deps.revocationsDegradedGraceMs ?? REVOCATIONS_DEGRADED_GRACE_MS;
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
    const { state, reason, notCurrentSince } = deps.feed;
    const degradedTooLong = state === 'degraded' && notCurrentSince !== undefined && clock() - notCurrentSince >= graceMs;
    const revocationsReady = deps.feed.isReady && state !== 'failed-closed' && !degradedTooLong;
    const ready = database === 'up' && revocationsReady;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: { database, revocations: state, ...(reason === undefined ? {} : { reason }) } });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metricsRegistry.contentType).send(await deps.metricsRegistry.metrics());
  });
  return router;
}
