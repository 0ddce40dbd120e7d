import { subscribeWorkQueue, type NatsConnection, type WorkQueueOptions, type WorkQueueStats } from '@veto/events';
import type { Logger } from 'pino';
import { storeSecurityEvents, type FanOutContext } from '../../domain/delivery-fan-out';
import type { DeliveryMetrics } from '../../domain/delivery-metrics';
import type { PendingSignal } from '../../domain/pending-signal';

/** The durable consumer's name on `AUTH`, and its dead-letter subject's last token (`veto.dlq.signals`). */
export const SIGNALS_CONSUMER = 'signals';

/** Options of {@link startSecurityEventConsumer}. */
export interface SecurityEventConsumerOptions extends Partial<
  Pick<WorkQueueOptions, 'service' | 'stream' | 'subjectPrefix' | 'deadLetterPrefix' | 'maxDeliver' | 'backoffMs' | 'ackWaitMs'>
> {
  readonly nc: NatsConnection;
  /** Database, signing key, issuers, clock and `SIGNALS_PAUSED_MAX_EVENTS`. */
  readonly context: FanOutContext;
  /** Woken for every stream that got a SET, after the commit. */
  readonly pending: PendingSignal;
  readonly metrics: DeliveryMetrics;
  readonly logger: Logger;
}

/**
 * Where the consumer is: `starting` until its durable consumer is set up (JetStream may not answer
 * yet), then `running` until `stop()` (`stopped`) or a failure for good (`failed`).
 */
export type SecurityEventConsumerState = 'starting' | 'running' | 'stopped' | 'failed';

/** A running consumer of `AUTH` that fills the SET outbox. */
export interface SecurityEventConsumer {
  /** A snapshot of the work-queue counters. */
  readonly stats: WorkQueueStats;
  readonly state: SecurityEventConsumerState;
  /** Stops taking events and waits for the one in hand to be stored and acknowledged (or left unacknowledged). */
  stop(): Promise<void>;
  /** Resolves after `stop()`; rejects with the events package's `SUBSCRIPTION_FAILED` when the consumer fails for good. */
  readonly closed: Promise<void>;
}

/**
 * Consumes `AUTH` with the durable work-queue consumer `signals` and writes, for each event, one
 * SET per subscribed `enabled` or `paused` stream in ONE transaction (see `storeSecurityEvents`);
 * the event is acknowledged only after that commit, then the push worker and long polls of those
 * streams are woken. A crash between commit and ack redelivers the event, which finds its SETs
 * (same `jti`) and writes nothing. An event whose SETs cannot be stored is retried with backoff
 * and dead-lettered to `veto.dlq.signals` after `maxDeliver` deliveries, as are unreadable events
 * (by `@veto/events`); Veto events no receiver is told about are acknowledged at once.
 *
 * @param options - see {@link SecurityEventConsumerOptions}
 * @returns the running consumer
 * @throws TypeError for invalid work-queue options
 * @example
 * const consumer = startSecurityEventConsumer({ nc, context: { db, key, issuer, subjectIssuer, clock, pausedMaxEvents }, pending, metrics, logger });
 * consumer.closed.catch((error) => shutdown(error));
 */
export function startSecurityEventConsumer(options: SecurityEventConsumerOptions): SecurityEventConsumer {
  const { nc, context, pending, metrics, logger, ...queue } = options;
  const subscription = subscribeWorkQueue(nc, { service: SIGNALS_CONSUMER, ...queue, logger });
  let state: SecurityEventConsumerState = 'running';
  const loop = (async () => {
    for await (const item of subscription) {
      const { event } = item;
      let result;
      try {
        result = await storeSecurityEvents(context, event);
      } catch (error) {
        logger.warn({ err: error, seq: item.seq, eventId: event.id, type: event.type, deliveryCount: item.deliveryCount }, 'storing the SETs of an event failed, retrying');
        item.retry(error);
        continue;
      }
      // Only now, after the commit: a crash before this line redelivers the event, never loses its SETs.
      item.ack();
      for (const streamId of result.written) pending.notify(streamId);
      if (result.setType !== undefined && result.written.length > 0) metrics.setsWritten.inc({ event_type: result.setType }, result.written.length);
      if (result.skippedEmailUnknown.length > 0) {
        metrics.setsSkipped.inc({ reason: 'email_unknown' }, result.skippedEmailUnknown.length);
        logger.warn({ eventId: event.id, type: event.type, streams: result.skippedEmailUnknown }, 'no SET for email-format streams: the event carries no email address');
      }
      for (const { streamId, count } of result.droppedPaused) {
        metrics.setsDroppedPaused.inc(count);
        logger.warn({ streamId, count }, 'paused stream full: its oldest pending SETs were set aside (PAUSED_OVERFLOW)');
      }
      logger.debug({ seq: item.seq, eventId: event.id, type: event.type, streams: result.written }, 'SETs stored');
    }
  })();
  const closed = Promise.all([loop, subscription.closed]).then(
    () => {
      state = 'stopped';
    },
    (error: unknown) => {
      state = 'failed';
      throw error;
    },
  );
  // The caller watches `closed`; this keeps a failure from surfacing twice as unhandled.
  closed.catch(() => undefined);
  return {
    get stats() {
      return subscription.stats;
    },
    get state() {
      return state === 'running' && !subscription.started ? 'starting' : state;
    },
    stop: async () => {
      await subscription.stop();
      await loop;
    },
    closed,
  };
}

/**
 * The consumer's contribution to `/readyz`: ready while it runs. A consumer that failed for good
 * leaves the outbox without new SETs, so the instance should not count as ready.
 *
 * @param consumer - the running consumer
 * @returns `{ ready, state }` to merge into the readiness checks
 * @example
 * const { ready, state } = consumerReadiness(consumer); checks.authConsumer = state;
 */
export function consumerReadiness(consumer: Pick<SecurityEventConsumer, 'state'>): { ready: boolean; state: SecurityEventConsumerState } {
  return { ready: consumer.state === 'running', state: consumer.state };
}
