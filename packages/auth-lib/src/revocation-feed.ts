import { subscribeFanOut, type FanOutInterruption, type FanOutSubscription, type Logger, type NatsConnection, type VetoEvent } from '@veto/events';
import { applyRevocationEvent } from './apply-revocation-event';
import type { RevocationCache } from './revocation-cache';

/**
 * `catching-up`: replaying the retained window, not ready yet. `ready`: caught up and current.
 * `degraded`: the feed cannot vouch for being current (see {@link RevocationFeedReason}); still
 * serving from the cache. `failed-closed`: not current for longer than `failClosedAfterMs`;
 * verifiers wired to the feed refuse tokens.
 */
export type RevocationFeedState = 'catching-up' | 'ready' | 'degraded' | 'failed-closed';

/**
 * Why the feed is not current: `disconnected` (no NATS connection), `reconnecting` (connected
 * again, its consumer not recreated yet), `consumer-lost` (the consumer's heartbeats stopped),
 * `stream-missing` (the event stream does not exist), `stream-reset` (the stream was deleted and
 * created again, or emptied: rebuilding from the time window), `lagging` (the stream has held an
 * event not applied yet for longer than `maxLagMs`).
 */
export type RevocationFeedReason = 'disconnected' | 'reconnecting' | 'consumer-lost' | 'stream-missing' | 'stream-reset' | 'lagging';

/** Every {@link RevocationFeedReason}, for metrics with one series per reason. */
export const REVOCATION_FEED_REASONS: readonly RevocationFeedReason[] = ['disconnected', 'reconnecting', 'consumer-lost', 'stream-missing', 'stream-reset', 'lagging'];

const REASON_OF_INTERRUPTION: Record<FanOutInterruption, RevocationFeedReason> = {
  disconnected: 'disconnected',
  reconnected: 'reconnecting',
  'consumer-lost': 'consumer-lost',
  'stream-missing': 'stream-missing',
  'stream-reset': 'stream-reset',
};

/** One event applied to the cache, reported to observers (metrics, logs). */
export interface AppliedRevocation {
  event: VetoEvent;
  seq: number;
  /** Apply time minus the event's `occurredAt`, in ms: the propagation lag. */
  lagMs: number;
  /** False while replaying: a replayed event's lag measures its age, not the propagation. */
  live: boolean;
  /** Whether the cache changed (false for unbans, duplicates and stale events). */
  changed: boolean;
}

/** Options of {@link createRevocationFeed}. */
export interface RevocationFeedOptions {
  nc: NatsConnection;
  cache: RevocationCache;
  /** Same TTL as the cache's: the replay starts `ttl + skew` before now. */
  accessTokenTtlSeconds: number;
  /** Default 30. */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** JetStream stream name; the events package default when omitted. */
  stream?: string;
  /** Subject prefix; the events package default when omitted. */
  subjectPrefix?: string;
  logger?: Logger;
  /** Passed to the fan-out subscription: idle heartbeat of its consumer in ms (events package default when omitted). */
  idleHeartbeatMs?: number;
  /** Passed to the fan-out subscription: missed heartbeats after which its consumer is recreated (events package default when omitted). */
  recreateAfterMissedHeartbeats?: number;
  /**
   * When set, after this long not current (disconnected, consumer lost, stream missing or reset,
   * lagging: any {@link RevocationFeedReason}) the feed reports `failed-closed` and
   * `isRevocationAvailable()` returns false. Undefined (default): keep serving from the cache.
   */
  failClosedAfterMs?: number;
  /**
   * How long the stream may hold an event not applied yet before the feed stops counting as
   * current (`degraded`, reason `lagging`), in ms: 1 000 by default. The stream is looked at every
   * `streamCheckIntervalMs`, so a lag is noticed up to that much later.
   */
  maxLagMs?: number;
  /** Passed to the fan-out subscription: how often the stream is looked at, in ms (events package default when omitted). */
  streamCheckIntervalMs?: number;
  /** How often expired cache entries are dropped. Default 60 000. */
  sweepIntervalMs?: number;
  /** Called for every applied event, in stream order. */
  onApplied?: (applied: AppliedRevocation) => void;
}

/** The revocation feed of one service instance; see {@link createRevocationFeed}. */
export interface RevocationFeed {
  /** Resolves once the retained window has been replayed into the cache. */
  readonly ready: Promise<void>;
  readonly isReady: boolean;
  readonly state: RevocationFeedState;
  /** Why the feed is `degraded` or `failed-closed`; `undefined` while it is current (or still catching up). */
  readonly reason: RevocationFeedReason | undefined;
  /** Since when (clock ms) the feed has not been current; `undefined` while it is. `failClosedAfterMs` counts from here. */
  readonly notCurrentSince: number | undefined;
  /** False only when failed closed; pass it to `createVerifier({ isRevocationAvailable })`. */
  readonly isRevocationAvailable: () => boolean;
  /** `resets`: times the stream was found deleted and created again (or emptied) and the window replayed again. */
  readonly stats: { readonly applied: number; readonly malformed: number; readonly lastSeq: number; readonly resets: number };
  /**
   * Adds an observer of applied events.
   *
   * @returns a function removing it again
   */
  onApplied(listener: (applied: AppliedRevocation) => void): () => void;
  /** Stops consuming, the sweep timer and the status watch. */
  stop(): Promise<void>;
  /** Resolves after `stop()`; rejects when the subscription fails for good (the service should shut down). */
  readonly closed: Promise<void>;
}

function checkOptions(options: RevocationFeedOptions) {
  const { nc, cache, accessTokenTtlSeconds, clockSkewSeconds = 30, clock = Date.now, failClosedAfterMs, maxLagMs = 1_000, sweepIntervalMs = 60_000 } = options;
  if (nc === null || typeof nc !== 'object' || typeof nc.status !== 'function') throw new TypeError('nc must be a NatsConnection');
  if (cache === null || typeof cache !== 'object' || typeof cache.sweep !== 'function') throw new TypeError('cache must be a RevocationCache');
  if (!Number.isFinite(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) throw new TypeError('accessTokenTtlSeconds must be a positive number');
  if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) throw new TypeError('clockSkewSeconds must be a non-negative number');
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  if (failClosedAfterMs !== undefined && (!Number.isFinite(failClosedAfterMs) || failClosedAfterMs < 0)) {
    throw new TypeError('failClosedAfterMs must be a non-negative number or undefined');
  }
  if (!Number.isFinite(maxLagMs) || maxLagMs < 0) throw new TypeError('maxLagMs must be a non-negative number');
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0) throw new TypeError('sweepIntervalMs must be a positive number');
  return { nc, cache, accessTokenTtlSeconds, clockSkewSeconds, clock, failClosedAfterMs, maxLagMs, sweepIntervalMs };
}

/**
 * Feeds the revocation cache from the event bus: an ordered fan-out subscription starting
 * `ttl + skew` before now (so a fresh instance rebuilds every still-relevant entry by replay),
 * applying each event in stream order. Watches the NATS connection, the consumer and the stream:
 * while it cannot vouch for being current (disconnected, consumer being recreated, stream missing
 * or reset and being replayed again, or more than `maxLagMs` behind the stream) the feed is
 * `degraded`, says why in `reason`, and keeps serving (worst case: a revocation is enforced at
 * token expiry); with `failClosedAfterMs` it turns `failed-closed` once such a period lasts that
 * long, and verifiers refuse tokens.
 *
 * @param options - see {@link RevocationFeedOptions}
 * @throws TypeError for invalid options
 * @example
 * const cache = new RevocationCache({ accessTokenTtlSeconds: 900 });
 * const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: 900, logger });
 * const verifier = createVerifier({ issuer, audience, keys, revocations: cache, isRevocationAvailable: feed.isRevocationAvailable });
 * feed.closed.catch((err) => shutdown(err));
 * await feed.ready; // then report ready to the orchestrator
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const { nc, cache, accessTokenTtlSeconds, clockSkewSeconds, clock, failClosedAfterMs, maxLagMs, sweepIntervalMs } = checkOptions(options);
  const listeners = new Set<(applied: AppliedRevocation) => void>();
  if (options.onApplied !== undefined) listeners.add(options.onApplied);
  let applied = 0;
  let appliedSeq = 0;
  let isReady = false;
  let stopped = false;
  let disconnectedAt: number | undefined;
  let resolveReady!: () => void;
  let rejectReady!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // A failure also rejects `closed`, which callers must watch; this keeps an unawaited `ready` from crashing the process.
  ready.catch(() => undefined);

  const subscription: FanOutSubscription = subscribeFanOut(nc, {
    // A function: a stream reset rebuilds from the window as it is then, not as it was at start.
    startTime: () => new Date(clock() - (accessTokenTtlSeconds + clockSkewSeconds) * 1000),
    clock,
    ...(options.stream === undefined ? {} : { stream: options.stream }),
    ...(options.subjectPrefix === undefined ? {} : { subjectPrefix: options.subjectPrefix }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.idleHeartbeatMs === undefined ? {} : { idleHeartbeatMs: options.idleHeartbeatMs }),
    ...(options.recreateAfterMissedHeartbeats === undefined ? {} : { recreateAfterMissedHeartbeats: options.recreateAfterMissedHeartbeats }),
    ...(options.streamCheckIntervalMs === undefined ? {} : { streamCheckIntervalMs: options.streamCheckIntervalMs }),
  });

  // The fan-out resolves caughtUp only after the loop body below has applied the last replayed event.
  subscription.caughtUp.then(() => {
    isReady = true;
    resolveReady();
  }, rejectReady);

  const consume = async () => {
    for await (const { event, seq } of subscription) {
      const changed = applyRevocationEvent(cache, event);
      applied += 1;
      appliedSeq = seq;
      const report: AppliedRevocation = { event, seq, lagMs: clock() - Date.parse(event.occurredAt), live: isReady, changed };
      for (const listener of listeners) listener(report);
    }
  };

  const statusIterable = nc.status();
  const watchStatus = async () => {
    for await (const status of statusIterable) {
      if (status.type === 'disconnect' || status.type === 'close') {
        disconnectedAt ??= clock();
        options.logger?.warn({ status: status.type }, 'revocation feed lost the NATS connection; serving from the cache');
      } else if (status.type === 'reconnect') {
        disconnectedAt = undefined;
        options.logger?.info({ server: status.server }, 'revocation feed reconnected to NATS');
      }
    }
  };

  const sweepTimer = setInterval(() => cache.sweep(), sweepIntervalMs);
  sweepTimer.unref();

  /** Why the feed is not current and since when, or `undefined` while it is. */
  const gap = (): { reason: RevocationFeedReason; since: number } | undefined => {
    const now = clock();
    if (disconnectedAt !== undefined) return { reason: 'disconnected', since: disconnectedAt };
    const interruption = subscription.interruption;
    // The subscription keeps the start of an interruption across its stages (disconnected, reconnected, reset...).
    if (interruption !== undefined) return { reason: REASON_OF_INTERRUPTION[interruption], since: subscription.interruptedSince ?? now };
    const behindSince = subscription.behindSince;
    // Counted from when the unapplied event was first seen: that is when enforcement stopped being current.
    if (isReady && behindSince !== undefined && now - behindSince >= maxLagMs) return { reason: 'lagging', since: behindSince };
    return undefined;
  };

  const status = (): { state: RevocationFeedState; reason?: RevocationFeedReason; since?: number } => {
    const current = gap();
    if (current === undefined) return { state: isReady ? 'ready' : 'catching-up' };
    // Before the first catch-up, only a gap that outlasts failClosedAfterMs changes the state: replaying is not ready anyway.
    if (failClosedAfterMs !== undefined && clock() - current.since >= failClosedAfterMs) return { state: 'failed-closed', ...current };
    return { state: isReady || current.reason === 'disconnected' ? 'degraded' : 'catching-up', ...current };
  };
  const state = (): RevocationFeedState => status().state;

  // The state is computed when asked; this watch puts its changes in the log, once each.
  let logged: { state: RevocationFeedState; reason?: RevocationFeedReason } = { state: 'catching-up' };
  const logStateChange = () => {
    const now = status();
    if (now.state === logged.state && now.reason === logged.reason) return;
    const context = { state: now.state, reason: now.reason, previous: logged.state, notCurrentForMs: now.since === undefined ? undefined : clock() - now.since };
    if (now.state === 'failed-closed') options.logger?.error(context, 'revocation feed failed closed; verifiers refuse tokens until it is current again');
    else if (now.state === 'degraded') options.logger?.warn(context, 'revocation feed not current; serving from the cache');
    else if (now.state === 'ready' && logged.state !== 'catching-up') options.logger?.info(context, 'revocation feed current again');
    logged = now;
  };
  const stateTimer = setInterval(logStateChange, 1_000);
  stateTimer.unref();

  const stopWatching = () => {
    clearInterval(sweepTimer);
    clearInterval(stateTimer);
    // nats.js returns a QueuedIterator whose stop() ends the for-await loop above.
    (statusIterable as { stop?: () => void }).stop?.();
  };

  const closed = (async () => {
    try {
      await Promise.all([consume(), subscription.closed]);
      if (!stopped) throw new Error('revocation feed subscription ended unexpectedly');
      rejectReady(new Error('revocation feed stopped before catching up'));
    } catch (err) {
      rejectReady(err);
      options.logger?.error({ err }, 'revocation feed failed; the cache no longer follows revocations');
      if (!stopped) await subscription.stop();
      throw err;
    } finally {
      stopWatching();
    }
  })();
  watchStatus().catch((err: unknown) => {
    disconnectedAt ??= clock();
    options.logger?.error({ err }, 'watching the NATS connection status failed; treating the connection as lost');
  });

  return {
    ready,
    get isReady() {
      return isReady;
    },
    get state() {
      return state();
    },
    get reason() {
      return status().reason;
    },
    get notCurrentSince() {
      return status().since;
    },
    isRevocationAvailable: () => state() !== 'failed-closed',
    get stats() {
      const { malformed, resets } = subscription.stats;
      return { applied, malformed, lastSeq: appliedSeq, resets };
    },
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      stopped = true;
      stopWatching();
      await subscription.stop();
      await closed;
    },
    closed,
  };
}
