import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { SignalsDatabase } from '../../data-access/database';
import { pushHead, pushStreams, recordPushResult, type PushHead } from '../../data-access/delivery-repository';
import { backoffDelayMs, type BackoffSettings } from '../../domain/delivery-backoff';
import type { DeliveryMetrics } from '../../domain/delivery-metrics';
import type { PendingSignal } from '../../domain/pending-signal';
import { classifyPushResponse, type PushOutcome } from '../../domain/push-response';

/** Options of {@link startPushWorker}. */
export interface PushWorkerOptions {
  readonly db: SignalsDatabase;
  /** Wakes the worker when the consumer stored SETs for a stream. */
  readonly pending: PendingSignal;
  readonly metrics: DeliveryMetrics;
  readonly logger: Logger;
  /** When SETs are delivered and retried: `delivered_at`, `next_attempt_at`. */
  readonly clock: Clock;
  /** The HTTP client: the global `fetch` in production. */
  readonly fetch: typeof fetch;
  /** `SIGNALS_PUSH_MAX_ATTEMPTS` */
  readonly maxAttempts: number;
  /** `SIGNALS_PUSH_BACKOFF_BASE_MS` and `SIGNALS_PUSH_BACKOFF_MAX_MS` */
  readonly backoff: BackoffSettings;
  /** `SIGNALS_PUSH_TIMEOUT_MS` */
  readonly timeoutMs: number;
  /** `SIGNALS_PUSH_CONCURRENCY`: streams delivered to at once. */
  readonly concurrency: number;
  /** `SIGNALS_PUSH_SCAN_INTERVAL_MS` */
  readonly scanIntervalMs: number;
  /** The jitter's randomness; `Math.random` by default. */
  readonly random?: () => number;
}

/** A running push worker. */
export interface PushWorker {
  /** Reads the database again now: for a stream the worker does not wait on yet (just created, just enabled, a SET re-driven). */
  wake(): void;
  /** Aborts the requests in flight (their SETs stay pending, attempts not counted) and resolves once every stream task returned. */
  stop(): Promise<void>;
  /** Resolves after `stop()`. */
  readonly closed: Promise<void>;
}

const MAX_BODY_TEXT = 2000;
const STOPPED = Symbol('stopped');

/**
 * Pushes the pending SETs of every `enabled` push stream to its receiver (RFC 8935): `POST
 * endpoint_url` with the token as `application/secevent+jwt`, the stream's `authorization_header`
 * as `Authorization` when set. Strictly in `seq` order per stream: a stream's next SET waits until
 * the one before is delivered (202) or dead. A failed attempt (another status, an RFC 8935 §2.3
 * refusal, a network error, the timeout) is retried after an exponential backoff with jitter;
 * after `maxAttempts`, or at once for a refusal no retry can change, the SET is `dead` and the
 * stream moves on. At most one request per stream and `concurrency` streams at once. It wakes on
 * the `PendingSignal` of its streams, when a retry falls due, and every `scanIntervalMs` (a new
 * stream, a re-driven SET, a missed signal: a delay, never a loss).
 *
 * @param options - see {@link PushWorkerOptions}
 * @returns the running worker
 * @throws TypeError for a non-positive number option or a backoff whose base exceeds its maximum
 * @example
 * const worker = startPushWorker({ db, pending, metrics, logger, clock: systemClock, fetch, maxAttempts: 10, backoff: { baseMs: 1000, maxMs: 300_000 }, timeoutMs: 10_000, concurrency: 8, scanIntervalMs: 5000 });
 * await worker.stop();
 */
export function startPushWorker(options: PushWorkerOptions): PushWorker {
  for (const name of ['maxAttempts', 'timeoutMs', 'concurrency', 'scanIntervalMs'] as const) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new TypeError(`startPushWorker: ${name} must be a positive integer, got ${options[name]}`);
  }
  if (!(options.backoff.baseMs >= 1 && options.backoff.maxMs >= options.backoff.baseMs)) {
    throw new TypeError(`startPushWorker: backoff needs 1 <= baseMs <= maxMs, got ${JSON.stringify(options.backoff)}`);
  }
  const { db, pending, metrics, logger, clock, maxAttempts, backoff, timeoutMs, concurrency, scanIntervalMs } = options;
  const random = options.random ?? Math.random;
  const stopping = new AbortController();
  const inFlight = new Map<string, Promise<void>>();
  /** Wakes the scan loop early: a stream task ended, so a slot is free or its stream has more. */
  let nudge: (() => void) | undefined;
  let nudged = false;

  async function attempt(head: PushHead): Promise<PushOutcome | typeof STOPPED> {
    const headers: Record<string, string> = { 'Content-Type': 'application/secevent+jwt', Accept: 'application/json' };
    if (head.authorizationHeader !== null) headers.Authorization = head.authorizationHeader;
    try {
      const response = await options.fetch(head.endpointUrl, {
        method: 'POST',
        headers,
        body: head.token,
        redirect: 'manual',
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]),
      });
      return classifyPushResponse(response.status, (await response.text()).slice(0, MAX_BODY_TEXT));
    } catch (error) {
      if (stopping.signal.aborted) return STOPPED;
      // A DOMException, not always an Error of this realm: known by its name.
      if ((error as { name?: unknown } | null)?.name === 'TimeoutError') return { kind: 'retry', error: `timeout after ${timeoutMs} ms`, reason: 'timeout' };
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
      return { kind: 'retry', error: `network: ${cause ?? String(error)}`.slice(0, 500), reason: 'network' };
    }
  }

  /** Delivers a stream's SETs in order until it has none due, or the worker stops. */
  async function deliver(streamId: string): Promise<void> {
    while (!stopping.signal.aborted) {
      const head = await pushHead(db, streamId);
      if (head === undefined || (head.nextAttemptAt !== null && head.nextAttemptAt.getTime() > clock())) return;
      const outcome = await attempt(head);
      if (outcome === STOPPED) return;
      const attempts = head.attempts + 1;
      if (outcome.kind === 'delivered') {
        if (await recordPushResult(db, head.seq, { state: 'delivered', attempts, at: new Date(clock()) })) metrics.setsPushed.inc();
        logger.debug({ streamId, seq: head.seq, jti: head.jti, attempts }, 'SET pushed');
        continue;
      }
      metrics.pushFailures.inc({ reason: outcome.reason });
      if (outcome.kind === 'permanent' || attempts >= maxAttempts) {
        if (await recordPushResult(db, head.seq, { state: 'dead', attempts, lastError: outcome.error })) metrics.setsDead.inc();
        logger.warn({ streamId, seq: head.seq, jti: head.jti, attempts, error: outcome.error, permanent: outcome.kind === 'permanent' }, 'SET push given up (dead)');
        continue;
      }
      const delayMs = backoffDelayMs(attempts, backoff, random);
      await recordPushResult(db, head.seq, { state: 'pending', attempts, nextAttemptAt: new Date(clock() + delayMs), lastError: outcome.error });
      logger.info({ streamId, seq: head.seq, jti: head.jti, attempts, delayMs, error: outcome.error }, 'SET push failed, retrying later');
      return;
    }
  }

  function start(streamId: string): void {
    const task = deliver(streamId)
      .catch((error: unknown) => {
        // The database failing: the stream is tried again at the next scan.
        logger.error({ err: error, streamId }, 'push delivery failed; the stream is retried at the next scan');
      })
      .finally(() => {
        inFlight.delete(streamId);
        nudged = true;
        nudge?.();
      });
    inFlight.set(streamId, task);
  }

  /** Waits for a signal of one of the streams, a task's end, `ms`, or the stop. */
  async function idle(streamIds: readonly string[], ms: number): Promise<void> {
    if (nudged) {
      nudged = false;
      return;
    }
    const done = new AbortController();
    const signal = AbortSignal.any([done.signal, stopping.signal]);
    const waits: Promise<unknown>[] = streamIds.map((id) => pending.wait(id, ms, signal));
    waits.push(
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        nudge = () => resolve();
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    );
    await Promise.race(waits);
    nudge = undefined;
    nudged = false;
    done.abort();
  }

  async function scan(): Promise<{ streamIds: string[]; waitMs: number }> {
    const streams = await pushStreams(db);
    const now = clock();
    let waitMs = scanIntervalMs;
    for (const { streamId, pending: hasPending, dueAt } of streams) {
      if (!hasPending || inFlight.has(streamId)) continue;
      const dueIn = (dueAt?.getTime() ?? now) - now;
      if (dueIn > 0) waitMs = Math.min(waitMs, dueIn);
      else if (inFlight.size < concurrency) start(streamId);
    }
    return { streamIds: streams.map((stream) => stream.streamId), waitMs };
  }

  const closed = (async () => {
    while (!stopping.signal.aborted) {
      let next: { streamIds: string[]; waitMs: number };
      try {
        next = await scan();
      } catch (error) {
        logger.error({ err: error }, 'push scan failed; trying again');
        next = { streamIds: [], waitMs: scanIntervalMs };
      }
      await idle(next.streamIds, next.waitMs);
    }
    await Promise.all(inFlight.values());
  })();

  return {
    wake: () => {
      nudged = true;
      nudge?.();
    },
    stop: async () => {
      stopping.abort();
      await closed;
    },
    closed,
  };
}
