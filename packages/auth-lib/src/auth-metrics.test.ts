import { Registry } from 'prom-client';
import { registerAuthMetrics } from './auth-metrics';
import { RevocationCache } from './revocation-cache';
import type { AppliedRevocation, RevocationFeed, RevocationFeedReason, RevocationFeedState } from './revocation-feed';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from './testing';
import { createVerifier } from './verifier';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');

/** A feed stand-in: the metrics helper only reads state and stats and observes applied events. */
function feedStub() {
  const listeners = new Set<(applied: AppliedRevocation) => void>();
  const feed = {
    state: 'catching-up' as RevocationFeedState,
    reason: undefined as RevocationFeedReason | undefined,
    notCurrentSince: undefined as number | undefined,
    stats: { applied: 0, malformed: 0, lastSeq: 0, resets: 0 },
    onApplied(listener: (applied: AppliedRevocation) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(applied: Pick<AppliedRevocation, 'lagMs' | 'live'>) {
      for (const listener of listeners) listener(applied as AppliedRevocation);
    },
  } satisfies Pick<RevocationFeed, 'state' | 'reason' | 'notCurrentSince' | 'stats' | 'onApplied'> & Record<string, unknown>;
  return feed;
}

/** Reads one sample by its full name (histograms: `<name>_bucket`, `_count`, ...) and labels. */
async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  type Sample = { value: number; metricName?: string; labels: Record<string, string | number> };
  const metrics = (await registry.getMetricsAsJSON()) as unknown as { name: string; values: Sample[] }[];
  const samples = metrics.flatMap((m) => m.values.map((v) => ({ ...v, metricName: v.metricName ?? m.name })));
  return samples.find((v) => v.metricName === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === l))?.value;
}

describe('registerAuthMetrics', () => {
  it('exposes verification cache hits and misses so the hit ratio is computable', async () => {
    const registry = new Registry();
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks(), clock: () => T0 });
    registerAuthMetrics(registry, { verifier });
    const token = signTestToken({}, { now: T0 });
    for (let i = 0; i < 4; i += 1) verifier.verify(token);
    expect(await value(registry, 'veto_auth_verification_cache_hits_total')).toBe(3);
    expect(await value(registry, 'veto_auth_verification_cache_misses_total')).toBe(1);
    verifier.verify(token);
    expect(await value(registry, 'veto_auth_verification_cache_hits_total')).toBe(4);
  });

  it('exposes the revocation cache size and the age of its oldest entry', async () => {
    const registry = new Registry();
    const time = { now: T0 };
    const cache = new RevocationCache({ accessTokenTtlSeconds: 900, clock: () => time.now });
    registerAuthMetrics(registry, { cache, clock: () => time.now });
    expect(await value(registry, 'veto_auth_revocation_cache_oldest_age_seconds')).toBe(0);
    cache.revokeUser('u1', T0 - 2000);
    cache.revokeSession('s1', T0);
    expect(await value(registry, 'veto_auth_revocation_cache_entries')).toBe(2);
    expect(await value(registry, 'veto_auth_revocation_cache_oldest_age_seconds')).toBe(2);
  });

  it('observes the propagation lag of live events only and mirrors the feed state and counters', async () => {
    const registry = new Registry();
    const feed = feedStub();
    registerAuthMetrics(registry, { feed });
    feed.emit({ lagMs: 60_000, live: false });
    feed.emit({ lagMs: 3, live: true });
    feed.stats.malformed = 2;
    feed.state = 'degraded';
    expect(await value(registry, 'veto_auth_revocation_propagation_lag_seconds_count')).toBe(1);
    expect(await value(registry, 'veto_auth_revocation_propagation_lag_seconds_bucket', { le: '0.0025' })).toBe(0);
    expect(await value(registry, 'veto_auth_revocation_propagation_lag_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(await value(registry, 'veto_auth_revocation_events_malformed_total')).toBe(2);
    expect(await value(registry, 'veto_auth_revocation_feed_state', { state: 'degraded' })).toBe(1);
    expect(await value(registry, 'veto_auth_revocation_feed_state', { state: 'ready' })).toBe(0);
  });

  it('says why the feed is not current, for how long, and how often its stream was reset', async () => {
    const registry = new Registry();
    const feed = feedStub();
    const time = { now: T0 };
    registerAuthMetrics(registry, { feed, clock: () => time.now });
    expect(await value(registry, 'veto_auth_revocation_feed_not_current_seconds')).toBe(0);
    expect(await value(registry, 'veto_auth_revocation_feed_not_current_reason', { reason: 'stream-reset' })).toBe(0);

    feed.state = 'failed-closed';
    feed.reason = 'stream-reset';
    feed.notCurrentSince = T0 - 12_500;
    feed.stats.resets = 1;

    expect(await value(registry, 'veto_auth_revocation_feed_state', { state: 'failed-closed' })).toBe(1);
    expect(await value(registry, 'veto_auth_revocation_feed_not_current_reason', { reason: 'stream-reset' })).toBe(1);
    expect(await value(registry, 'veto_auth_revocation_feed_not_current_reason', { reason: 'lagging' })).toBe(0);
    expect(await value(registry, 'veto_auth_revocation_feed_not_current_seconds')).toBe(12.5);
    expect(await value(registry, 'veto_auth_revocation_stream_resets_total')).toBe(1);
  });

  it('unregisters its metrics and stops observing the feed', async () => {
    const registry = new Registry();
    const feed = feedStub();
    const unregister = registerAuthMetrics(registry, { feed });
    unregister();
    feed.emit({ lagMs: 3, live: true });
    expect(await registry.getMetricsAsJSON()).toEqual([]);
    registerAuthMetrics(registry, { feed });
  });
});
