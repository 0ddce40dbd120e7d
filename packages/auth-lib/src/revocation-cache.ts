import { issuedAtMs, type AccessTokenClaims } from './access-token-claims';

/** Options of {@link RevocationCache}. */
export interface RevocationCacheOptions {
  /** Lifetime of access tokens; an entry is useless once every token it could reject has expired. */
  accessTokenTtlSeconds: number;
  /** Tolerated clock difference between issuer and verifier; extends every entry by as much. Default 30. */
  clockSkewSeconds?: number;
  /** Milliseconds since the epoch; injected so expiry is testable. Default `Date.now`. */
  clock?: () => number;
}

/** The part of a token's claims the revocation decision looks at. */
export type RevocationSubject = Pick<AccessTokenClaims, 'sub' | 'sid' | 'iat' | 'iat_ms'>;

/**
 * In-memory revocation state of one service instance: user watermarks
 * (`userId → revokedAtMs`, rejects tokens of the user issued at or before it) and revoked
 * sessions (`sid → revokedAtMs`, rejects every token of the session).
 *
 * Each entry expires at `revokedAtMs + accessTokenTtl + clockSkew`, computed from the
 * revocation's own time so a replayed event expires exactly when a live one would; by then
 * every token it could reject has expired anyway. Plain maps rather than an LRU: a live entry
 * must never be evicted early, and size is bounded by time × revocation rate.
 *
 * @param options - see {@link RevocationCacheOptions}
 * @throws TypeError when the TTL or skew is not a non-negative finite number
 * @example
 * const cache = new RevocationCache({ accessTokenTtlSeconds: 900 });
 * cache.revokeUser('u1', Date.parse('2026-11-23T10:00:00.000Z'));
 * cache.isRevoked({ sub: 'u1', sid: 's1', iat: 1795428000, iat_ms: 1795428000000 }); // true: issued before the ban
 */
export class RevocationCache {
  readonly #users = new Map<string, number>();
  readonly #sessions = new Map<string, number>();
  readonly #lifetimeMs: number;
  readonly #clock: () => number;

  constructor(options: RevocationCacheOptions) {
    const { accessTokenTtlSeconds, clockSkewSeconds = 30, clock = Date.now } = options;
    if (!Number.isFinite(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) {
      throw new TypeError('accessTokenTtlSeconds must be a positive number');
    }
    if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) {
      throw new TypeError('clockSkewSeconds must be a non-negative number');
    }
    if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
    this.#lifetimeMs = (accessTokenTtlSeconds + clockSkewSeconds) * 1000;
    this.#clock = clock;
  }

  /**
   * Rejects every token of `userId` issued at or before `revokedAtMs` (ban, "revoke all sessions").
   *
   * @param userId - the `sub` of the tokens to reject
   * @param revokedAtMs - the revocation's own time in ms; the later of several wins
   * @returns whether the cache changed (false for stale, duplicate or older events)
   * @throws TypeError when `revokedAtMs` is not a finite number
   * @example
   * cache.revokeUser(event.data.userId, Date.parse(event.data.revokedAt));
   */
  revokeUser(userId: string, revokedAtMs: number): boolean {
    return this.#record(this.#users, userId, revokedAtMs);
  }

  /**
   * Rejects every token carrying session id `sessionId` (sign-out, refresh-token reuse).
   *
   * @param sessionId - the `sid` of the tokens to reject
   * @param revokedAtMs - the revocation's own time in ms; it decides when the entry expires
   * @returns whether the cache changed
   * @throws TypeError when `revokedAtMs` is not a finite number
   * @example
   * cache.revokeSession(event.data.sessionId, Date.parse(event.data.revokedAt));
   */
  revokeSession(sessionId: string, revokedAtMs: number): boolean {
    return this.#record(this.#sessions, sessionId, revokedAtMs);
  }

  /**
   * Decides whether a token is revoked. A token issued strictly after its user's watermark
   * is accepted, even within the same second; the same millisecond counts as before. The issue
   * time is `iat_ms` when the token has it, else `iat * 1000` (a previous-format token with a
   * fractional `iat`, accepted until it expires; or an integer `iat` from another issuer, which
   * counts as the start of its second).
   *
   * @param claims - `sub`, `sid`, `iat` and `iat_ms` of a token whose signature was already verified
   * @example
   * if (cache.isRevoked(claims)) throw new TokenError('TOKEN_REVOKED', 'token revoked');
   */
  isRevoked(claims: RevocationSubject): boolean {
    const now = this.#clock();
    if (this.#live(this.#sessions, claims.sid, now) !== undefined) return true;
    const watermark = this.#live(this.#users, claims.sub, now);
    return watermark !== undefined && issuedAtMs(claims) <= watermark;
  }

  /**
   * Drops every expired entry; the feed calls this periodically so memory follows the
   * revocation rate even for keys never looked up again.
   *
   * @returns how many entries were dropped
   * @example
   * setInterval(() => cache.sweep(), 60_000).unref();
   */
  sweep(): number {
    const now = this.#clock();
    let dropped = 0;
    for (const map of [this.#users, this.#sessions]) {
      for (const [key, revokedAtMs] of map) {
        if (this.#expired(revokedAtMs, now)) {
          map.delete(key);
          dropped += 1;
        }
      }
    }
    return dropped;
  }

  /** Number of entries held (user watermarks + revoked sessions), expired ones not yet swept included. */
  get size(): number {
    return this.#users.size + this.#sessions.size;
  }

  /** The earliest `revokedAtMs` among live entries, or undefined when none is live; for metrics. */
  get oldestRevokedAt(): number | undefined {
    const now = this.#clock();
    let oldest: number | undefined;
    for (const map of [this.#users, this.#sessions]) {
      for (const revokedAtMs of map.values()) {
        if (!this.#expired(revokedAtMs, now) && (oldest === undefined || revokedAtMs < oldest)) oldest = revokedAtMs;
      }
    }
    return oldest;
  }

  #record(map: Map<string, number>, key: string, revokedAtMs: number): boolean {
    if (!Number.isFinite(revokedAtMs)) throw new TypeError('revokedAtMs must be a finite number of milliseconds');
    if (this.#expired(revokedAtMs, this.#clock())) return false;
    const current = map.get(key);
    if (current !== undefined && current >= revokedAtMs) return false;
    map.set(key, revokedAtMs);
    return true;
  }

  #live(map: Map<string, number>, key: string, now: number): number | undefined {
    const revokedAtMs = map.get(key);
    if (revokedAtMs === undefined) return undefined;
    if (this.#expired(revokedAtMs, now)) {
      map.delete(key);
      return undefined;
    }
    return revokedAtMs;
  }

  #expired(revokedAtMs: number, now: number): boolean {
    return now >= revokedAtMs + this.#lifetimeMs;
  }
}
