import { subscribeWorkQueue, type NatsConnection, type VetoEvent, type WorkQueueOptions, type WorkQueueStats } from '@veto/events';
import type { Logger } from 'pino';
import { applySellerModeration, type SellerModeration } from '../../domain/apply-seller-moderation';
import type { TicketsContext } from '../../domain/tickets-context';

/** The work-queue service name: one durable consumer shared by every tickets instance. */
export const MODERATION_SERVICE = 'tickets';

/** Options of {@link startSellerModerationConsumer}. */
export interface SellerModerationConsumerOptions
  extends Partial<Pick<WorkQueueOptions, 'service' | 'stream' | 'subjectPrefix' | 'deadLetterPrefix' | 'maxDeliver' | 'backoffMs' | 'ackWaitMs'>> {
  readonly nc: NatsConnection;
  readonly context: TicketsContext;
  readonly logger: Logger;
}

/** A running moderation consumer. */
export interface SellerModerationConsumer {
  /** A snapshot of the work-queue counters. */
  readonly stats: WorkQueueStats;
  /** Stops taking events and waits for the one in hand to be settled. */
  stop(): Promise<void>;
  /** Resolves after `stop()`; rejects with the events package's `SUBSCRIPTION_FAILED` when the consumer fails for good. */
  readonly closed: Promise<void>;
}

function decisionOf(event: VetoEvent): SellerModeration | undefined {
  switch (event.type) {
    case 'user.banned':
      return { ownerId: event.data.userId, banned: true, decidedAt: new Date(event.occurredAt) };
    case 'user.unbanned':
      return { ownerId: event.data.userId, banned: false, decidedAt: new Date(event.occurredAt) };
    default:
      // Session revocations concern tokens only; the revocation feed handles them.
      return undefined;
  }
}

/**
 * Consumes the `auth.>` events once per service (a durable work-queue consumer shared by all
 * instances): a `user.banned` unlists the seller's tickets, a `user.unbanned` relists those the
 * ban unlisted. Each event is acked after its transaction committed; a failure is retried with
 * backoff and dead-lettered to `veto.dlq.<service>` after `maxDeliver` deliveries (by
 * `@veto/events`). Handling is idempotent, so redeliveries and replays are harmless.
 *
 * @param options - see {@link SellerModerationConsumerOptions}
 * @returns the running consumer
 * @throws TypeError for invalid work-queue options
 * @example
 * const consumer = startSellerModerationConsumer({ nc, context: { db: database.db, clock }, logger });
 * consumer.closed.catch((error) => shutdown(error));
 * await consumer.stop();
 */
export function startSellerModerationConsumer(options: SellerModerationConsumerOptions): SellerModerationConsumer {
  const { nc, context, logger, ...queue } = options;
  const subscription = subscribeWorkQueue(nc, { service: MODERATION_SERVICE, ...queue, logger });
  const loop = (async () => {
    for await (const item of subscription) {
      const decision = decisionOf(item.event);
      if (decision === undefined) {
        item.ack();
        continue;
      }
      let outcome;
      try {
        outcome = await applySellerModeration(context, decision);
      } catch (error) {
        logger.warn({ err: error, seq: item.seq, eventId: item.event.id, deliveryCount: item.deliveryCount }, 'seller moderation failed, retrying');
        item.retry(error);
        continue;
      }
      item.ack();
      logger.info({ seq: item.seq, eventId: item.event.id, type: item.event.type, ownerId: decision.ownerId, ...outcome }, 'seller moderation applied');
    }
  })();
  const closed = Promise.all([loop, subscription.closed]).then(() => undefined);
  return {
    get stats() {
      return subscription.stats;
    },
    stop: async () => {
      await subscription.stop();
      await loop;
    },
    closed,
  };
}
