import type { RevocationCache } from './revocation-cache';
import { REVOCATION_FEED_REASONS, type RevocationFeed, type RevocationFeedState } from './revocation-feed';
import type { Verifier } from './verifier';

const FEED_STATES: readonly RevocationFeedState[] = ['catching-up', 'ready', 'degraded', 'failed-closed'];

/** 0.1 ms to 10 s: local delivery is sub-millisecond, an outage backlog takes seconds. */
export const PROPAGATION_BUCKETS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The part of a prom-client `Registry` this package relies on. Written out rather than imported, so
 * the published declarations name no prom-client type: a service that never registers metrics
 * type-checks without prom-client installed (it is an optional peer). A prom-client `Registry` is one.
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
}

/** What {@link registerAuthMetrics} reports on; each part is optional. */
export interface AuthMetricsSources {
  verifier?: Pick<Verifier, 'stats'>;
  cache?: Pick<RevocationCache, 'size' | 'oldestRevokedAt'>;
  feed?: Pick<RevocationFeed, 'state' | 'reason' | 'notCurrentSince' | 'stats' | 'onApplied'>;
  /** Milliseconds since the epoch, for the age of the oldest entry. Default `Date.now`. */
  clock?: () => number;
}

/**
 * Registers Prometheus metrics for token verification and revocation: the propagation lag of
 * live events (histogram `veto_auth_revocation_propagation_lag_seconds`; replayed events are left out
 * because their lag is their age), cache size and oldest entry age, verification cache hits and
 * misses (hit ratio = hits / (hits + misses)), applied and malformed events, stream resets, feed
 * state, why it is not current and for how long.
 * Values are read from the sources at scrape time.
 *
 * @param registry - a prom-client Registry
 * @param sources - see {@link AuthMetricsSources}
 * @returns a function that unregisters the metrics and stops observing the feed
 * @throws Error from prom-client when the metrics are already registered in `registry`
 * @example
 * const registry = new Registry();
 * registerAuthMetrics(registry, { verifier, cache, feed });
 * app.get('/metrics', async (_req, res) => res.type(registry.contentType).send(await registry.metrics()));
 */
export function registerAuthMetrics(registry: MetricsRegistry, sources: AuthMetricsSources): () => void {
  // prom-client is an optional peer: loaded on first use, so services without metrics need not install it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a static import would load it with the package
  const { Counter, Gauge, Histogram } = require('prom-client') as typeof import('prom-client');
  const { verifier, cache, feed, clock = Date.now } = sources;
  // Only prom-client's own Registry can be passed in practice; its metric constructors want that type.
  const registers = [registry as unknown as import('prom-client').Registry];
  const names: string[] = [];
  const track = <T>(name: string, metric: T): T => {
    names.push(name);
    return metric;
  };
  let stopObserving = () => {};

  if (verifier !== undefined) {
    track(
      'veto_auth_verification_cache_hits_total',
      new Counter({
        name: 'veto_auth_verification_cache_hits_total',
        help: 'Token verifications answered from the verification cache (revocation still checked).',
        registers,
        collect() {
          this.reset();
          this.inc(verifier.stats.cacheHits);
        },
      }),
    );
    track(
      'veto_auth_verification_cache_misses_total',
      new Counter({
        name: 'veto_auth_verification_cache_misses_total',
        help: 'Token verifications that checked the signature.',
        registers,
        collect() {
          this.reset();
          this.inc(verifier.stats.cacheMisses);
        },
      }),
    );
  }

  if (cache !== undefined) {
    track(
      'veto_auth_revocation_cache_entries',
      new Gauge({
        name: 'veto_auth_revocation_cache_entries',
        help: 'User watermarks plus revoked sessions held by the revocation cache.',
        registers,
        collect() {
          this.set(cache.size);
        },
      }),
    );
    track(
      'veto_auth_revocation_cache_oldest_age_seconds',
      new Gauge({
        name: 'veto_auth_revocation_cache_oldest_age_seconds',
        help: 'Age of the oldest live revocation entry; bounded by token TTL plus skew.',
        registers,
        collect() {
          const oldest = cache.oldestRevokedAt;
          this.set(oldest === undefined ? 0 : (clock() - oldest) / 1000);
        },
      }),
    );
  }

  if (feed !== undefined) {
    const lag = track(
      'veto_auth_revocation_propagation_lag_seconds',
      new Histogram({
        name: 'veto_auth_revocation_propagation_lag_seconds',
        help: 'Time from a revocation event occurring to its application in this instance (live events only).',
        buckets: PROPAGATION_BUCKETS_SECONDS,
        registers,
      }),
    );
    stopObserving = feed.onApplied((applied) => {
      if (applied.live) lag.observe(Math.max(0, applied.lagMs) / 1000);
    });
    track(
      'veto_auth_revocation_events_applied_total',
      new Counter({
        name: 'veto_auth_revocation_events_applied_total',
        help: 'Revocation events applied to the cache, replayed ones included.',
        registers,
        collect() {
          this.reset();
          this.inc(feed.stats.applied);
        },
      }),
    );
    track(
      'veto_auth_revocation_events_malformed_total',
      new Counter({
        name: 'veto_auth_revocation_events_malformed_total',
        help: 'Messages on the revocation subjects that failed validation and were skipped.',
        registers,
        collect() {
          this.reset();
          this.inc(feed.stats.malformed);
        },
      }),
    );
    track(
      'veto_auth_revocation_feed_state',
      new Gauge({
        name: 'veto_auth_revocation_feed_state',
        help: 'State of the revocation feed: 1 for the current state, 0 for the others.',
        labelNames: ['state'],
        registers,
        collect() {
          const current = feed.state;
          for (const state of FEED_STATES) this.set({ state }, state === current ? 1 : 0);
        },
      }),
    );
    track(
      'veto_auth_revocation_feed_not_current_reason',
      new Gauge({
        name: 'veto_auth_revocation_feed_not_current_reason',
        help: 'Why the revocation feed is degraded or failed closed: 1 for the current reason, 0 for the others (all 0 while current).',
        labelNames: ['reason'],
        registers,
        collect() {
          const current = feed.reason;
          for (const reason of REVOCATION_FEED_REASONS) this.set({ reason }, reason === current ? 1 : 0);
        },
      }),
    );
    track(
      'veto_auth_revocation_feed_not_current_seconds',
      new Gauge({
        name: 'veto_auth_revocation_feed_not_current_seconds',
        help: 'How long the revocation feed has not been current (0 while it is); failClosedAfterMs counts the same time.',
        registers,
        collect() {
          const since = feed.notCurrentSince;
          this.set(since === undefined ? 0 : Math.max(0, clock() - since) / 1000);
        },
      }),
    );
    track(
      'veto_auth_revocation_stream_resets_total',
      new Counter({
        name: 'veto_auth_revocation_stream_resets_total',
        help: 'Times the event stream was found deleted and created again (or emptied) and the revocation window replayed again.',
        registers,
        collect() {
          this.reset();
          this.inc(feed.stats.resets);
        },
      }),
    );
  }

  return () => {
    stopObserving();
    for (const name of names) registry.removeSingleMetric(name);
  };
}
