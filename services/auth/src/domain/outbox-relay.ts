import type { VetoEvent } from '@veto/events';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import { claimOutboxRows, markOutboxPublished, OUTBOX_LEASE_MS, recordOutboxFailure, releaseOutboxRows } from '../data-access/outbox-repository';
import type { OutboxMetrics } from './outbox-metrics';

/** Options of {@link startOutboxRelay}. */
export interface OutboxRelayOptions {
  readonly db: Database;
  /** Publishes one event and resolves once JetStream acknowledged it; throws otherwise. */
  readonly publish: (event: VetoEvent) => Promise<unknown>;
  /**
   * Whether publishing can work now (connected); while false the relay attempts nothing and
   * holds no rows, and `retryNow()` resumes it. Default: always.
   */
  readonly isAvailable?: () => boolean;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'debug' | 'warn' | 'error'>;
  readonly metrics?: OutboxMetrics;
  /** Safety poll for rows written by other instances (or missed wake-ups). Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Rows claimed per round. Default 100. */
  readonly batchSize?: number;
  /** How long a claimed row is kept from other relays while this one publishes it. Default 30 s (as rows are written). */
  readonly leaseMs?: number;
  /** Retry delay after the first failure, doubled per consecutive failure. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Upper bound of the retry delay. Default 2000 ms. */
  readonly maxBackoffMs?: number;
}

/** Counters of a running relay. */
export interface OutboxRelayStats {
  readonly published: number;
  readonly failures: number;
  /** Failures since the last successful round; 0 when healthy. */
  readonly consecutiveFailures: number;
}

/** A running outbox relay. */
export interface OutboxRelay {
  /**
   * A transaction of this instance committed outbox rows (leased to it when written): publish
   * these events now, without claiming them first (unless backing off after a failure), then
   * look for other pending rows.
   */
  wake(events?: readonly VetoEvent[]): void;
  /** The bus came back: forget the backoff and publish now. */
  retryNow(): void;
  /** Resolves once every pending row is published — for tests and benchmarks. */
  idle(): Promise<void>;
  /** Stops the loop after the round in progress; publishes nothing afterwards. */
  stop(): Promise<void>;
  readonly stats: OutboxRelayStats;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * Starts the background loop that publishes the outbox to JetStream. Each round first
 * publishes the events this instance just committed (their rows were leased to it when
 * written, so no query precedes the publish), then claims other pending rows (oldest first;
 * `FOR UPDATE SKIP LOCKED` plus a lease, so several instances share the work and no row is
 * published by two of them at once). Every event goes out with its id as `Nats-Msg-Id` and
 * its row is then marked published. A failure records `attempts` and `last_error` on the
 * row, hands the rest back, and retries with capped exponential backoff. It runs when woken
 * after a commit, when the bus reconnects, and every `pollIntervalMs` as a safety net.
 *
 * @param options - see {@link OutboxRelayOptions}
 * @returns the running relay
 * @throws {TypeError} for invalid options
 * @example
 * const relay = startOutboxRelay({ db, publish: (event) => publisher.publish(event), clock: systemClock, logger });
 * const app = createApp({ ..., onEventsRecorded: relay.wake });
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publish, clock, logger, metrics, isAvailable = () => true } = options;
  const pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 1000);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
  const leaseMs = positiveInteger('leaseMs', options.leaseMs ?? OUTBOX_LEASE_MS);
  const initialBackoffMs = positiveInteger('initialBackoffMs', options.initialBackoffMs ?? 100);
  const maxBackoffMs = positiveInteger('maxBackoffMs', options.maxBackoffMs ?? 2000);

  let stopped = false;
  let running: Promise<void> | undefined;
  let rerun = false;
  let timer: NodeJS.Timeout | undefined;
  let published = 0;
  let failures = 0;
  let consecutiveFailures = 0;
  let idleWaiters: (() => void)[] = [];
  // Events this instance wrote and still holds the lease of, oldest first.
  let owned: VetoEvent[] = [];

  const schedule = (delayMs: number): void => {
    clearTimeout(timer);
    timer = setTimeout(kick, delayMs);
    // The relay never keeps the process alive on its own; main decides when to exit.
    timer.unref();
  };

  /**
   * Publishes events whose rows this relay holds, in order, marking each published. On a
   * failure the row records it, and the rest are handed back (the lease ends) so that they
   * go out, in order, through the claiming path once the bus is back.
   */
  const publishHeld = async (events: readonly { event: VetoEvent; writtenAt: number }[]): Promise<void> => {
    for (const [index, { event, writtenAt }] of events.entries()) {
      try {
        await publish(event);
      } catch (error) {
        failures += 1;
        metrics?.failed();
        const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
        await recordOutboxFailure(db, event.id, message);
        // Keep the order: nothing after a failed event goes out before it.
        await releaseOutboxRows(db, events.slice(index + 1).map((rest) => rest.event.id));
        throw error;
      }
      const ackedAt = clock();
      await markOutboxPublished(db, event.id, new Date(ackedAt));
      published += 1;
      metrics?.published(Math.max(0, ackedAt - writtenAt) / 1000);
    }
  };

  /** Publishes the held events, then one claimed batch; returns how many rows it claimed. */
  const round = async (): Promise<number> => {
    const held = owned;
    owned = [];
    if (!isAvailable()) {
      // Held rows go back to the pool: whichever instance reaches the bus first publishes them.
      await releaseOutboxRows(db, held.map((event) => event.id));
      return 0;
    }
    await publishHeld(held.map((event) => ({ event, writtenAt: Date.parse(event.occurredAt) })));
    const rows = await claimOutboxRows(db, { limit: batchSize, now: new Date(clock()), leaseMs });
    await publishHeld(rows.map((row) => ({ event: row.payload as VetoEvent, writtenAt: row.createdAt.getTime() })));
    return rows.length;
  };

  const drain = async (): Promise<void> => {
    try {
      let claimed: number;
      do {
        rerun = false;
        claimed = await round();
      } while (!stopped && (rerun || claimed === batchSize || owned.length > 0));
      consecutiveFailures = 0;
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
      if (!stopped) {
        schedule(pollIntervalMs);
      }
    } catch (error) {
      consecutiveFailures += 1;
      const backoffMs = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (consecutiveFailures - 1));
      // Expected while NATS is down: the rows stay pending and are retried; warn, not crash.
      logger.warn({ err: error, consecutiveFailures, retryInMs: backoffMs }, 'outbox relay: publishing failed; will retry');
      if (!stopped) {
        schedule(backoffMs);
      }
    }
  };

  function kick(): void {
    if (stopped) {
      return;
    }
    if (running !== undefined) {
      rerun = true;
      return;
    }
    clearTimeout(timer);
    running = drain().finally(() => {
      running = undefined;
    });
  }

  schedule(0);
  return {
    wake(events = []) {
      if (events.length > 0) {
        // When the events became durable, to the sub-millisecond (the propagation benchmark
        // measures commit → enforced in every consumer from it).
        logger.debug({ eventIds: events.map((event) => event.id), committedAt: performance.timeOrigin + performance.now() }, 'outbox events committed');
      }
      owned.push(...events);
      if (consecutiveFailures === 0) {
        kick();
      }
    },
    retryNow() {
      consecutiveFailures = 0;
      kick();
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        kick();
      });
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      // Hand back what this instance still holds, so the next start or another instance publishes it at once.
      await releaseOutboxRows(db, owned.map((event) => event.id));
      owned = [];
    },
    get stats() {
      return { published, failures, consecutiveFailures };
    },
  };
}
