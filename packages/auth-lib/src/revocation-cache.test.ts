import { RevocationCache } from './revocation-cache';

const TTL_S = 900;
const SKEW_S = 30;
const LIFETIME_MS = (TTL_S + SKEW_S) * 1000;
const T0 = Date.parse('2026-11-23T10:00:00.000Z');

function setup(start = T0) {
  const time = { now: start };
  const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_S, clockSkewSeconds: SKEW_S, clock: () => time.now });
  return { time, cache };
}

const token = (iatMs: number, sub = 'u1', sid = 's1') => ({ sub, sid, iat: iatMs / 1000 });

describe('RevocationCache', () => {
  it('rejects a token issued before the ban and one issued in the same millisecond', () => {
    const { cache } = setup();
    cache.revokeUser('u1', T0);
    expect(cache.isRevoked(token(T0 - 60_000))).toBe(true);
    expect(cache.isRevoked(token(T0))).toBe(true);
  });

  it('accepts a re-login in the same second, one millisecond after the watermark', () => {
    const { cache } = setup();
    cache.revokeUser('u1', T0 + 123);
    expect(cache.isRevoked({ sub: 'u1', sid: 's2', iat: (T0 + 124) / 1000 })).toBe(false);
    expect(cache.isRevoked({ sub: 'u1', sid: 's1', iat: (T0 + 123) / 1000 })).toBe(true);
  });

  it('treats an integer iat as its whole second', () => {
    const { cache } = setup();
    cache.revokeUser('u1', T0 + 500);
    expect(cache.isRevoked({ sub: 'u1', sid: 's1', iat: T0 / 1000 })).toBe(true);
    expect(cache.isRevoked({ sub: 'u1', sid: 's1', iat: T0 / 1000 + 1 })).toBe(false);
  });

  it('leaves other users untouched', () => {
    const { cache } = setup();
    cache.revokeUser('u1', T0);
    expect(cache.isRevoked(token(T0 - 1000, 'u2', 's9'))).toBe(false);
  });

  it('rejects every token of a revoked session, whenever issued', () => {
    const { cache } = setup();
    cache.revokeSession('s1', T0);
    expect(cache.isRevoked(token(T0 - 1000))).toBe(true);
    expect(cache.isRevoked(token(T0 + 5000))).toBe(true);
    expect(cache.isRevoked(token(T0 - 1000, 'u1', 's2'))).toBe(false);
  });

  it('still rejects one millisecond before expiry and drops the entry at expiry', () => {
    const { time, cache } = setup();
    cache.revokeUser('u1', T0);
    cache.revokeSession('s9', T0);
    time.now = T0 + LIFETIME_MS - 1;
    expect(cache.isRevoked(token(T0 - 1))).toBe(true);
    expect(cache.isRevoked(token(T0 + 1, 'u3', 's9'))).toBe(true);
    time.now = T0 + LIFETIME_MS;
    expect(cache.isRevoked(token(T0 - 1))).toBe(false);
    expect(cache.isRevoked(token(T0 + 1, 'u3', 's9'))).toBe(false);
    expect(cache.size).toBe(0);
  });

  it('computes expiry from the revocation time, not from when the event is applied', () => {
    const { time, cache } = setup(T0 + 600_000);
    expect(cache.revokeUser('u1', T0)).toBe(true);
    time.now = T0 + LIFETIME_MS;
    expect(cache.isRevoked(token(T0 - 1))).toBe(false);
  });

  it('ignores a stale event whose entry would already be expired', () => {
    const { cache } = setup(T0 + LIFETIME_MS);
    expect(cache.revokeUser('u1', T0)).toBe(false);
    expect(cache.revokeSession('s1', T0)).toBe(false);
    expect(cache.size).toBe(0);
    expect(cache.isRevoked(token(T0 - 1))).toBe(false);
  });

  it('applies duplicates idempotently', () => {
    const { cache } = setup();
    expect(cache.revokeUser('u1', T0)).toBe(true);
    expect(cache.revokeUser('u1', T0)).toBe(false);
    expect(cache.size).toBe(1);
    expect(cache.isRevoked(token(T0))).toBe(true);
    expect(cache.isRevoked(token(T0 + 1))).toBe(false);
  });

  it('keeps the latest watermark when events arrive out of order', () => {
    const { cache } = setup();
    cache.revokeUser('u1', T0 + 10_000);
    expect(cache.revokeUser('u1', T0)).toBe(false);
    expect(cache.isRevoked(token(T0 + 5_000))).toBe(true);
    expect(cache.isRevoked(token(T0 + 10_001))).toBe(false);
  });

  it('keeps old tokens dead after an unban because nothing is removed', () => {
    // user.unbanned has no cache operation: the watermark stays, new sign-ins are issued after it.
    const { time, cache } = setup();
    cache.revokeUser('u1', T0);
    time.now = T0 + 60_000;
    expect(cache.isRevoked(token(T0 - 1_000))).toBe(true);
    expect(cache.isRevoked(token(T0 + 59_000))).toBe(false);
  });

  it('sweeps expired entries and keeps live ones', () => {
    const { time, cache } = setup();
    cache.revokeUser('u1', T0);
    cache.revokeSession('s1', T0 + 1);
    cache.revokeUser('u2', T0 + 60_000);
    time.now = T0 + LIFETIME_MS + 1;
    expect(cache.sweep()).toBe(2);
    expect(cache.size).toBe(1);
    expect(cache.isRevoked(token(T0, 'u2', 'x'))).toBe(true);
  });

  it('reports the oldest live revocation for metrics', () => {
    const { time, cache } = setup();
    expect(cache.oldestRevokedAt).toBeUndefined();
    cache.revokeSession('s1', T0);
    cache.revokeUser('u2', T0 + 60_000);
    expect(cache.oldestRevokedAt).toBe(T0);
    time.now = T0 + LIFETIME_MS;
    expect(cache.oldestRevokedAt).toBe(T0 + 60_000);
  });

  it('throws TypeError for misuse', () => {
    expect(() => new RevocationCache({ accessTokenTtlSeconds: 0 })).toThrow(TypeError);
    expect(() => new RevocationCache({ accessTokenTtlSeconds: 900, clockSkewSeconds: -1 })).toThrow(TypeError);
    const { cache } = setup();
    expect(() => cache.revokeUser('u1', Number.NaN)).toThrow(TypeError);
  });
});
