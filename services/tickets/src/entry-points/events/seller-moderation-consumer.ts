import { subscribeWorkQueue, type NatsConnection, type VetoEvent, type WorkItem, type WorkQueueOptions, type WorkQueueStats } from '@veto/events';
import type { Logger } from 'pino';
import { applySellerModerations, type ModerationOutcome, type SellerModeration } from '../../domain/apply-seller-moderation';
import type { TicketsContext } from '../../domain/tickets-context';

/** The work-queue service name: one durable consumer shared by every tickets instance. */
export const MODERATION_SERVICE = 'tickets';

/** The most events applied in one statement, and pulled ahead from the work queue. */
const MAX_BATCH = 100;

/**
 * How long a batch waits for more events after its first. A statement costs about 1.5 ms plus 0.1 ms per
 * decision on PGlite, so a consumer that kept up with a burst event by event would spend most of it on the
 * fixed part; a ban's tickets are unlisted this much later (its tokens are refused at once by the feed).
 */
const DEFAULT_LINGER_MS = 100;

/** Options of {@link startSellerModerationConsumer}. */
export interface SellerModerationConsumerOptions extends Partial<
  Pick<WorkQueueOptions, 'service' | 'stream' | 'subjectPrefix' | 'deadLetterPrefix' | 'maxDeliver' | 'backoffMs' | 'ackWaitMs' | 'batch'>
> {
  readonly nc: NatsConnection;
  readonly context: TicketsContext;
  readonly logger: Logger;
  /** How long a batch waits for more events after its first, in ms; 100 by default, 0 takes only those already delivered. */
  readonly lingerMs?: number;
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

const NOTHING_YET = Symbol('nothing yet');

/**
 * Resolves with {@link NOTHING_YET} after `ms`, or with `ms` 0 on the next turn of the event loop (after every
 * promise already settled has run its callbacks); `cancel` clears the timer.
 */
function deadline(ms: number): { promise: Promise<typeof NOTHING_YET>; cancel(): void } {
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const promise = new Promise<typeof NOTHING_YET>((resolve) => {
    timer = ms === 0 ? setImmediate(() => resolve(NOTHING_YET)) : setTimeout(() => resolve(NOTHING_YET), ms);
  });
  return {
    promise,
    cancel: () => {
      if (ms === 0) clearImmediate(timer as NodeJS.Immediate);
      else clearTimeout(timer as NodeJS.Timeout);
    },
  };
}

/**
 * The events in hand: the next one to arrive, then every one delivered within `lingerMs` of it,
 * up to {@link MAX_BATCH}. Under a burst of bans that is a full batch per statement; in quiet
 * times a batch of one, handled `lingerMs` after it arrived.
 */
async function* batches(subscription: AsyncIterable<WorkItem>, lingerMs: number): AsyncGenerator<WorkItem[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  let next = iterator.next();
  for (;;) {
    const first = await next;
    if (first.done === true) return;
    const batch = [first.value];
    next = iterator.next();
    // One deadline for the whole batch with a linger, a fresh turn per event without one.
    let until = deadline(lingerMs);
    try {
      while (batch.length < MAX_BATCH) {
        const more = await Promise.race([next, until.promise]);
        if (more === NOTHING_YET || more.done === true) break;
        batch.push(more.value);
        next = iterator.next();
        if (lingerMs === 0) {
          until.cancel();
          until = deadline(0);
        }
      }
    } finally {
      until.cancel();
    }
    yield batch;
  }
}

/**
 * Consumes the `auth.>` events once per service (a durable work-queue consumer shared by all
 * instances): a `user.banned` unlists the seller's tickets, a `user.unbanned` relists those the
 * ban unlisted. Events arriving within `lingerMs` of each other are applied together, up to 100 in one statement, and
 * each is acked after that statement committed; a failure is retried with
 * backoff and dead-lettered to `veto.dlq.<service>` after `maxDeliver` deliveries (by
 * `@veto/events`). Handling is idempotent, so redeliveries and replays are harmless.
 *
 * @param options - see {@link SellerModerationConsumerOptions}
 * @returns the running consumer
 * @throws TypeError for invalid work-queue options or `lingerMs`
 * @example
 * const consumer = startSellerModerationConsumer({ nc, context: { db: database.db, clock }, logger });
 * consumer.closed.catch((error) => shutdown(error));
 * await consumer.stop();
 */
export function startSellerModerationConsumer(options: SellerModerationConsumerOptions): SellerModerationConsumer {
  const { nc, context, logger, lingerMs = DEFAULT_LINGER_MS, ...queue } = options;
  if (!Number.isInteger(lingerMs) || lingerMs < 0) throw new TypeError(`startSellerModerationConsumer: lingerMs must be a non-negative integer, got ${lingerMs}`);
  // Pulling MAX_BATCH ahead lets a batch fill up within its linger.
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
    for await (const batch of batches(subscription, lingerMs)) {
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
