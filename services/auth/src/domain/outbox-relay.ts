import type { PublishResult, VetoEvent } from '@veto/events';
import type { Logger } from 'pino';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import {
  claimOutboxRows,
  latestStreamAnchor,
  listPublishedSince,
  markOutboxPublished,
  nextLeaseExpiry,
  OUTBOX_LEASE_MS,
  purgePublishedOutbox,
  recordOutboxFailure,
  releaseOutboxRows,
  renewOutboxLeases,
  type StreamAnchor,
} from '../data-access/outbox-repository';
import type { OutboxMetrics } from './outbox-metrics';

/** Options of {@link startOutboxRelay}. */
export interface OutboxRelayOptions {
  readonly db: Database;
  /**
   * Publishes one event and resolves once JetStream acknowledged it (with the stream sequence,
   * which the row keeps for the stream check); throws otherwise.
   */
  readonly publish: (event: VetoEvent) => Promise<PublishResult | void>;
  /**
   * Whether the stream still stores this event at this sequence. Given, the relay checks it
   * before its first round after each `resync()` and every `streamCheckIntervalMs`, and when
   * the stream lost it, publishes the retention window again. Default: no checks.
   */
  readonly streamHolds?: (anchor: StreamAnchor) => Promise<boolean>;
  /**
   * How long published rows are kept, and how far back a lost stream is rebuilt: at least the
   * access-token lifetime plus the consumers' clock skew. Default 25 minutes.
   */
  readonly retentionMs?: number;
  /** The stream's own retention: an event published longer ago may be gone from an intact stream. Default: unbounded. */
  readonly streamMaxAgeMs?: number;
  /** Stream check between reconnects (a consumer may recreate the stream meanwhile). Default 30 s. */
  readonly streamCheckIntervalMs?: number;
  /** How often published rows older than `retentionMs` are deleted. Default 60 s. */
  readonly purgeIntervalMs?: number;
  /**
   * Whether publishing can work now (connected); while false the relay attempts nothing and
   * holds no rows, and `retryNow()` resumes it. Default: always.
   */
  readonly isAvailable?: () => boolean;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  readonly metrics?: OutboxMetrics;
  /** Safety poll for rows written by other instances (or missed wake-ups). Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Rows claimed per round. Default 100. */
  readonly batchSize?: number;
  /** How long a held row is kept from other relays; renewed every third of it while held. Default {@link OUTBOX_LEASE_MS}. */
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
  /** Times the stream was found to have lost published events. */
  readonly streamResets: number;
  /** Events published again after a stream loss. */
  readonly republished: number;
  /** Published rows deleted past the retention. */
  readonly purged: number;
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
  /**
   * The bus (re)connected and ensured the streams: check that the stream still holds the last
   * published event before publishing more (republishing the window if not), then publish.
   */
  resync(): void;
  /** Resolves once every pending row is published — for tests and benchmarks. */
  idle(): Promise<void>;
  /** Stops the loop after the round in progress; publishes nothing afterwards. */
  stop(): Promise<void>;
  readonly stats: OutboxRelayStats;
}

/** Default of `retentionMs`: the default access-token lifetime (15 min) plus the default retention margin (10 min). */
const DEFAULT_RETENTION_MS = 25 * 60 * 1000;
/** Rows deleted per statement by the purge. */
const PURGE_BATCH = 1000;

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
 * published by two of them at once). Leases are short and renewed while this relay holds the
 * rows, so the rows of a crashed instance go out within seconds. Every event goes out with
 * its id as `Nats-Msg-Id`; its row then records the acknowledgement (time, stream sequence).
 * A failure records `attempts` and `last_error` on the row, hands the rest back, and retries
 * with capped exponential backoff. It runs when woken after a commit, when the bus
 * reconnects, and every `pollIntervalMs` as a safety net.
 *
 * The outbox is the source of truth and the stream its copy: published rows are kept for
 * `retentionMs` (then purged in batches), and when the stream no longer holds the event
 * acknowledged last (checked after each `resync()` and every `streamCheckIntervalMs`), or
 * acknowledges a new event below a sequence it acknowledged before, the stream was recreated
 * or purged: the rows of the retention window are published again, in insertion order,
 * before anything pending.
 *
 * @param options - see {@link OutboxRelayOptions}
 * @returns the running relay
 * @throws {TypeError} for invalid options
 * @example
 * const relay = startOutboxRelay({ db, publish: (event) => publisher.publish(event), clock: systemClock, logger });
 * const app = createApp({ ..., onEventsRecorded: relay.wake });
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publish, streamHolds, clock, logger, metrics, isAvailable = () => true } = options;
  const pollIntervalMs = positiveInteger('pollIntervalMs', options.pollIntervalMs ?? 1000);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
  const leaseMs = positiveInteger('leaseMs', options.leaseMs ?? OUTBOX_LEASE_MS);
  const initialBackoffMs = positiveInteger('initialBackoffMs', options.initialBackoffMs ?? 100);
  const maxBackoffMs = positiveInteger('maxBackoffMs', options.maxBackoffMs ?? 2000);
  const retentionMs = positiveInteger('retentionMs', options.retentionMs ?? DEFAULT_RETENTION_MS);
  const streamMaxAgeMs = options.streamMaxAgeMs === undefined ? Infinity : positiveInteger('streamMaxAgeMs', options.streamMaxAgeMs);
  const streamCheckIntervalMs = positiveInteger('streamCheckIntervalMs', options.streamCheckIntervalMs ?? 30_000);
  const purgeIntervalMs = positiveInteger('purgeIntervalMs', options.purgeIntervalMs ?? 60_000);

  let stopped = false;
  let running: Promise<void> | undefined;
  let rerun = false;
  let timer: NodeJS.Timeout | undefined;
  let published = 0;
  let failures = 0;
  let consecutiveFailures = 0;
  let streamResets = 0;
  let republished = 0;
  let purged = 0;
  let idleWaiters: (() => void)[] = [];
  // Events this instance wrote and still holds the lease of, oldest first.
  let owned: VetoEvent[] = [];
  // Every row whose lease this relay holds (written or claimed, not yet published or handed back): renewed while alive.
  const held = new Set<string>();
  // Set by resync() (and the periodic timer): check the stream before publishing anything.
  let checkDue = true;
  let lastCheckAt = -Infinity;
  // Set when the stream lost events, cleared once the whole window is out again: a failed republish resumes next round.
  let republishDue: string | undefined;
  // The highest stream sequence acknowledged for a new (not duplicate) event: a lower one later means a new stream.
  let lastAckSeq = 0;

  const schedule = (delayMs: number): void => {
    clearTimeout(timer);
    timer = setTimeout(kick, delayMs);
    // The relay never keeps the process alive on its own; main decides when to exit.
    timer.unref();
  };

  const release = async (ids: readonly string[]): Promise<void> => {
    ids.forEach((id) => held.delete(id));
    await releaseOutboxRows(db, ids);
  };

  /** Publishes one event; tells whether its acknowledgement shows a stream recreated since the last one. */
  const publishOne = async (event: VetoEvent): Promise<{ ack: PublishResult | undefined; streamReset?: string }> => {
    const ack = (await publish(event)) ?? undefined;
    if (ack === undefined || ack.duplicate) {
      return { ack };
    }
    const previous = lastAckSeq;
    lastAckSeq = ack.seq;
    return ack.seq <= previous ? { ack, streamReset: `the stream acknowledged ${event.id} at sequence ${ack.seq}, lower than ${previous} acknowledged before` } : { ack };
  };

  /**
   * Publishes events whose rows this relay holds, in order, marking each published. On a
   * failure the row records it, and the rest are handed back (the lease ends) so that they
   * go out, in order, through the claiming path once the bus is back. An acknowledgement
   * showing a new stream stops the batch (handing back the rest) so that the window goes
   * out again before anything newer.
   */
  const publishHeld = async (events: readonly { event: VetoEvent; writtenAt: number }[]): Promise<void> => {
    for (const [index, { event, writtenAt }] of events.entries()) {
      let outcome: Awaited<ReturnType<typeof publishOne>>;
      // When the relay got to this event after its commit (the propagation benchmark splits the relay's wake-up from the publish with it).
      logger.debug({ eventId: event.id, sentAt: performance.timeOrigin + performance.now() }, 'outbox event sent');
      try {
        outcome = await publishOne(event);
      } catch (error) {
        failures += 1;
        metrics?.failed();
        const message = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
        held.delete(event.id);
        await recordOutboxFailure(db, event.id, message);
        // Keep the order: nothing after a failed event goes out before it.
        await release(events.slice(index + 1).map((rest) => rest.event.id));
        throw error;
      }
      const ackedAt = clock();
      await markOutboxPublished(db, event.id, new Date(ackedAt), outcome.ack?.seq);
      held.delete(event.id);
      published += 1;
      metrics?.published(Math.max(0, ackedAt - writtenAt) / 1000);
      if (outcome.streamReset !== undefined) {
        republishDue = outcome.streamReset;
        await release(events.slice(index + 1).map((rest) => rest.event.id));
        return;
      }
    }
  };

  /** Whether the stream still holds the event acknowledged last (true when there is nothing to check). */
  const streamIntact = async (): Promise<{ intact: boolean; anchor?: StreamAnchor }> => {
    checkDue = false;
    lastCheckAt = clock();
    if (streamHolds === undefined) {
      return { intact: true };
    }
    // 90 % of the stream's max age: an event close to it may be gone from an intact stream by the time it is asked for.
    const anchor = await latestStreamAnchor(db, new Date(clock() - Math.min(retentionMs, streamMaxAgeMs * 0.9)));
    if (anchor === undefined) {
      return { intact: true };
    }
    return { intact: await streamHolds(anchor), anchor };
  };

  /** Publishes the published rows of the retention window again, in insertion order. */
  const republishWindow = async (reason: string): Promise<void> => {
    const since = new Date(clock() - retentionMs);
    let afterSeq = 0;
    let count = 0;
    let page: Awaited<ReturnType<typeof listPublishedSince>>;
    do {
      page = await listPublishedSince(db, { since, afterSeq, limit: batchSize });
      for (const row of page) {
        // A failure propagates: republishDue stays set, so the next round starts the window again (Nats-Msg-Id drops what is already in).
        const { ack } = await publishOne(row.payload as VetoEvent);
        await markOutboxPublished(db, row.id, new Date(clock()), ack?.seq);
        count += 1;
        republished += 1;
        metrics?.republished();
        afterSeq = row.seq;
      }
    } while (page.length === batchSize && !stopped);
    republishDue = undefined;
    streamResets += 1;
    metrics?.streamReset();
    logger.warn(
      { reason, republished: count, since: since.toISOString() },
      'outbox relay: the AUTH stream lost published events (recreated or purged); published the retention window again',
    );
  };

  /** Checks the stream when due, republishes the window when it lost events, then publishes the held events and one claimed batch. */
  const round = async (): Promise<number> => {
    const ownedNow = owned;
    owned = [];
    if (!isAvailable()) {
      // Held rows go back to the pool: whichever instance reaches the bus first publishes them.
      await release(ownedNow.map((event) => event.id));
      return 0;
    }
    try {
      if (republishDue === undefined && (checkDue || clock() - lastCheckAt >= streamCheckIntervalMs)) {
        const { intact, anchor } = await streamIntact().catch((error: unknown) => {
          // A check that cannot be made (JetStream slow, a permission missing) must not hold bans back: publish, check again later.
          logger.warn({ err: error, retryInMs: streamCheckIntervalMs }, 'outbox relay: could not check that the AUTH stream still holds the last event; publishing anyway');
          return { intact: true, anchor: undefined };
        });
        if (!intact) {
          republishDue = `the stream no longer holds ${anchor?.id} at sequence ${anchor?.streamSeq}`;
        }
      }
      if (republishDue !== undefined) {
        await republishWindow(republishDue);
      }
    } catch (error) {
      await release(ownedNow.map((event) => event.id));
      throw error;
    }
    await publishHeld(ownedNow.map((event) => ({ event, writtenAt: Date.parse(event.occurredAt) })));
    if (republishDue !== undefined) {
      return 0;
    }
    const rows = await claimOutboxRows(db, { limit: batchSize, now: new Date(clock()), leaseMs });
    rows.forEach((row) => held.add(row.id));
    await publishHeld(rows.map((row) => ({ event: row.payload as VetoEvent, writtenAt: row.createdAt.getTime() })));
    return rows.length;
  };

  const drain = async (): Promise<void> => {
    try {
      let claimed: number;
      do {
        rerun = false;
        claimed = await round();
      } while (!stopped && (rerun || claimed === batchSize || owned.length > 0 || republishDue !== undefined));
      consecutiveFailures = 0;
      const waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach((resolve) => resolve());
      if (!stopped) {
        // Look again when the next lease ends (rows of an instance that died, freed then) if that comes before the poll.
        const expiry = await nextLeaseExpiry(db);
        schedule(expiry === undefined ? pollIntervalMs : Math.min(pollIntervalMs, Math.max(0, expiry.getTime() - clock()) + 1));
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

  // Renews the leases of held rows while this process lives: a crashed one stops renewing, and its rows are free a lease later.
  const renewer = setInterval(
    () => {
      if (held.size > 0) {
        renewOutboxLeases(db, [...held], new Date(clock() + leaseMs)).catch((error: unknown) => {
          logger.warn({ err: error }, 'outbox relay: could not renew its leases; another instance may publish these rows too');
        });
      }
    },
    Math.max(1, Math.floor(leaseMs / 3)),
  );
  renewer.unref();

  let purging: Promise<void> | undefined;
  const purge = async (): Promise<void> => {
    const before = new Date(clock() - retentionMs);
    let total = 0;
    let deleted: number;
    do {
      deleted = await purgePublishedOutbox(db, { before, limit: PURGE_BATCH });
      total += deleted;
    } while (deleted === PURGE_BATCH && !stopped);
    if (total > 0) {
      purged += total;
      metrics?.purged(total);
      logger.info({ purged: total, before: before.toISOString() }, 'outbox relay: purged published events past the retention');
    }
  };
  const purger = setInterval(() => {
    purging ??= purge()
      .catch((error: unknown) => {
        logger.warn({ err: error }, 'outbox relay: purge failed; will retry');
      })
      .finally(() => {
        purging = undefined;
      });
  }, purgeIntervalMs);
  purger.unref();

  schedule(0);
  return {
    wake(events = []) {
      if (events.length > 0) {
        // When the events became durable, to the sub-millisecond (the propagation benchmark
        // measures commit → enforced in every consumer from it).
        logger.debug({ eventIds: events.map((event) => event.id), committedAt: performance.timeOrigin + performance.now() }, 'outbox events committed');
      }
      owned.push(...events);
      events.forEach((event) => held.add(event.id));
      if (consecutiveFailures === 0) {
        kick();
      }
    },
    retryNow() {
      consecutiveFailures = 0;
      kick();
    },
    resync() {
      checkDue = true;
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
      clearInterval(renewer);
      clearInterval(purger);
      await Promise.all([running, purging]);
      // Hand back what this instance still holds, so the next start or another instance publishes it at once.
      await release([...held]);
      owned = [];
    },
    get stats() {
      return { published, failures, consecutiveFailures, streamResets, republished, purged };
    },
  };
}
