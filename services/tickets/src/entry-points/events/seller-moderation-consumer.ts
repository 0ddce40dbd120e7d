import { subscribeWorkQueue, type NatsConnection, type VetoEvent, type WorkItem, type WorkQueueOptions, type WorkQueueStats } from '@veto/events';
import type { Logger } from 'pino';
import { applySellerModerations, type ModerationOutcome, type SellerModeration } from '../../domain/apply-seller-moderation';
import type { TicketsContext } from '../../domain/tickets-context';

/** The work-queue service name: one durable consumer shared by every tickets instance. */
export const MODERATION_SERVICE = 'tickets';

/** The most events applied in one statement, and pulled ahead from the work queue. */
const MAX_BATCH = 100;

/** Options of {@link startSellerModerationConsumer}. */
export interface SellerModerationConsumerOptions extends Partial<
  Pick<WorkQueueOptions, 'service' | 'stream' | 'subjectPrefix' | 'deadLetterPrefix' | 'maxDeliver' | 'backoffMs' | 'ackWaitMs' | 'batch'>
> {
  readonly nc: NatsConnection;
  readonly context: TicketsContext;
  readonly logger: Logger;
}

/** A running moderation consumer. */
export interface SellerModerationConsumer {
  /** A snapshot of the work-queue counters. */
  readonly stats: WorkQueueStats;
  /** Stops taking events and waits for the ones in hand to be settled. */
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

/** Resolves on the next turn of the event loop, after every promise already settled has run its callbacks. */
const NOTHING_YET = Symbol('nothing yet');
const nextTurn = (): Promise<typeof NOTHING_YET> => new Promise((resolve) => setImmediate(() => resolve(NOTHING_YET)));

/**
 * The events in hand: the next one to arrive, then, without waiting, every one already
 * delivered, up to {@link MAX_BATCH}. Under a burst of bans that is a batch per transaction;
 * in quiet times a batch of one, handled as soon as it arrives.
 */
async function* batches(subscription: AsyncIterable<WorkItem>): AsyncGenerator<WorkItem[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const first = await next;
    if (first.done === true) return;
    const batch = [first.value];
    next = iterator.next();
    while (batch.length < MAX_BATCH) {
      const more = await Promise.race([next, nextTurn()]);
      if (more === NOTHING_YET || more.done === true) break;
      batch.push(more.value);
      next = iterator.next();
    }
    yield batch;
  }
}

/**
 * Consumes the `auth.>` events once per service (a durable work-queue consumer shared by all
 * instances): a `user.banned` unlists the seller's tickets, a `user.unbanned` relists those the
 * ban unlisted. Events already delivered are applied together, up to 100 in one statement, and
 * each is acked after that statement committed; a failure is retried with
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
  // Pulling up to MAX_BATCH lets a batch grow to whatever arrived while the previous one was applied: one statement
  // costs about 1.5 ms plus 0.1 ms per decision on PGlite, so under a burst the fixed part is shared by many bans.
  const subscription = subscribeWorkQueue(nc, { service: MODERATION_SERVICE, batch: MAX_BATCH, ...queue, logger });
  const applied = (work: readonly { item: WorkItem; decision: SellerModeration }[], outcomes: readonly (ModerationOutcome | undefined)[]): void => {
    // Acked only now, after the statement that applied them committed.
    work.forEach(({ item }) => item.ack());
    // One line per transaction: at a thousand bans a second, a line per event was a write per event on the request loop.
    logger.info(
      { events: work.map(({ item, decision }, index) => ({ seq: item.seq, eventId: item.event.id, type: item.event.type, ownerId: decision.ownerId, ...outcomes[index] })) },
      'seller moderation applied',
    );
  };
  const loop = (async () => {
    for await (const batch of batches(subscription)) {
      const work: { item: WorkItem; decision: SellerModeration }[] = [];
      for (const item of batch) {
        const decision = decisionOf(item.event);
        if (decision === undefined) item.ack();
        else work.push({ item, decision });
      }
      if (work.length > 1) {
        try {
          applied(
            work,
            await applySellerModerations(
              context,
              work.map(({ decision }) => decision),
            ),
          );
          continue;
        } catch (error) {
          logger.warn({ err: error, events: work.length }, 'seller moderation batch failed, applying its events one by one');
        }
      }
      // One by one, so that an event that keeps failing is retried and set aside on its own.
      for (const { item, decision } of work) {
        try {
          applied([{ item, decision }], await applySellerModerations(context, [decision]));
        } catch (error) {
          logger.warn({ err: error, seq: item.seq, eventId: item.event.id, deliveryCount: item.deliveryCount }, 'seller moderation failed, retrying');
          item.retry(error);
        }
      }
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
