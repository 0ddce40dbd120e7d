import { BODY_LIMIT } from '@veto/service-kit';
import express, { Router } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { SignalsDatabase } from '../../data-access/database';
import { findPollStream, pendingSecurityEvents, settlePolled } from '../../data-access/delivery-repository';
import type { DeliveryMetrics } from '../../domain/delivery-metrics';
import type { PendingSignal } from '../../domain/pending-signal';
import { pollRequestSchema } from '../../domain/poll-request';
import { SignalsError } from '../../errors';
import { authenticatedReceiver, createReceiverAuth } from './receiver-auth';

/** What the poll endpoint is built from. */
export interface PollRoutesDeps {
  readonly db: SignalsDatabase;
  /** Wakes long polls when the consumer stored SETs for their stream. */
  readonly pending: PendingSignal;
  readonly metrics: DeliveryMetrics;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `SIGNALS_POLL_MAX_WAIT_MS` */
  readonly maxWaitMs: number;
  /** `SIGNALS_POLL_MAX_EVENTS` */
  readonly maxEvents: number;
  /** Aborted at shutdown: waiting polls answer (empty) at once, so closing the server does not wait for them. */
  readonly stopSignal?: AbortSignal;
}

/** The path of a stream's poll endpoint, under the issuer. */
export const POLL_PATH = '/ssf/poll/:streamId';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `POST /ssf/poll/:streamId`: RFC 8936 poll delivery for the authenticated receiver's own poll
 * streams (any other id answers 404 `NOT_FOUND`). Acknowledgements (`ack`) and errors (`setErrs`)
 * are recorded first, both settling the SET for good; then up to `maxEvents` pending SETs are
 * answered in order as `{ sets: { jti: token }, moreAvailable }`. Returned SETs stay pending until
 * acknowledged, so an unacknowledged one comes again (same `jti`, same token). With none pending
 * and `returnImmediately` not true, the request waits for a new SET, up to `maxWaitMs`, and ends
 * early when the client goes away. A paused or disabled stream answers only the SETs up to its
 * stream-updated SET, which tells the receiver of the change (acknowledgements are still taken).
 * `maxEvents: 0` only acknowledges.
 *
 * @param deps - see {@link PollRoutesDeps}
 * @returns the router
 * @throws TypeError at construction for a negative `maxWaitMs` or a `maxEvents` below 1
 * @example
 * app.use(createPollRoutes({ db, pending, metrics, clock, logger, maxWaitMs: config.pollMaxWaitMs, maxEvents: config.pollMaxEvents }));
 */
export function createPollRoutes(deps: PollRoutesDeps): Router {
  if (!Number.isInteger(deps.maxWaitMs) || deps.maxWaitMs < 0) throw new TypeError(`createPollRoutes: maxWaitMs must be a non-negative integer, got ${deps.maxWaitMs}`);
  if (!Number.isInteger(deps.maxEvents) || deps.maxEvents < 1) throw new TypeError(`createPollRoutes: maxEvents must be a positive integer, got ${deps.maxEvents}`);
  const { db, pending, metrics, clock } = deps;
  const router = Router();
  router.post(POLL_PATH, createReceiverAuth({ db }), express.json({ limit: BODY_LIMIT }), async (req, res) => {
    const receiver = authenticatedReceiver(res.locals);
    const streamId = typeof req.params.streamId === 'string' ? req.params.streamId : '';
    const found = UUID.test(streamId) ? await findPollStream(db, receiver.id, streamId) : undefined;
    if (found === undefined) throw new SignalsError('NOT_FOUND', `No poll stream ${streamId} for this receiver`);
    const parsed = pollRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new SignalsError(
        'POLL_REQUEST_INVALID',
        `The poll request is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ')}`,
      );
    }
    const body = parsed.data;
    const ack = body.ack ?? [];
    const setErrs = body.setErrs ?? {};
    if (ack.length > 0 || Object.keys(setErrs).length > 0) {
      const settled = await settlePolled(db, streamId, ack, setErrs, new Date(clock()));
      if (settled.acked > 0) metrics.pollAcknowledged.inc({ outcome: 'ack' }, settled.acked);
      if (settled.errored > 0) metrics.pollAcknowledged.inc({ outcome: 'set_err' }, settled.errored);
      if (settled.errored > 0)
        deps.logger.warn({ streamId, receiverId: receiver.id, errored: settled.errored, setErrs: Object.entries(setErrs).slice(0, 10) }, 'receiver reported SET errors');
    }
    const limit = Math.min(body.maxEvents ?? deps.maxEvents, deps.maxEvents);
    // Ends the wait when the client goes away (or the connection breaks).
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const ended = deps.stopSignal === undefined ? gone.signal : AbortSignal.any([gone.signal, deps.stopSignal]);
    const deadline = Date.now() + deps.maxWaitMs;
    for (;;) {
      const rows = await pendingSecurityEvents(db, streamId, limit + 1);
      const remaining = deadline - Date.now();
      if (rows.length > 0 || limit === 0 || body.returnImmediately === true || remaining <= 0 || ended.aborted) {
        const sets = Object.fromEntries(rows.slice(0, limit).map((row) => [row.jti, row.token]));
        res.status(200).json({ sets, moreAvailable: rows.length > limit });
        return;
      }
      await pending.wait(streamId, remaining, ended);
    }
  });
  return router;
}
