import { LRUCache } from 'lru-cache';
import type { Clock } from '../clock';

/** Options of a fixed-window limiter. */
export interface RateLimiterOptions {
  /** Failures allowed per key per window. */
  readonly limit: number;
  readonly windowSeconds: number;
  readonly clock: Clock;
  /**
   * Keys remembered at most (least recently used forgotten first), which bounds memory
   * under a flood of distinct keys. Default 10 000.
   */
  readonly maxKeys?: number;
}

/** Result of a check: allowed, or blocked until the window ends. */
export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** Counts failures per key in fixed windows. */
export interface RateLimiter {
  /** Whether another attempt is allowed for the key now. */
  check(key: string): RateLimitDecision;
  /** Counts one failure for the key in the current window. */
  recordFailure(key: string): void;
}

interface Window {
  startMs: number;
  failures: number;
}

/**
 * Creates a fixed-window failure counter. Windows are measured with the injected
 * clock, not with the cache's own timers, so tests move time explicitly.
 *
 * @param options - limit, window, clock, size bound
 * @returns the limiter
 * @throws {TypeError} when limit, window or maxKeys is not a positive integer
 * @example
 * const perEmail = createRateLimiter({ limit: 10, windowSeconds: 60, clock });
 * if (!perEmail.check(email).allowed) ...
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { limit, windowSeconds, clock, maxKeys = 10_000 } = options;
  for (const [name, value] of Object.entries({ limit, windowSeconds, maxKeys })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new TypeError(`${name} must be a positive integer`);
    }
  }
  const windowMs = windowSeconds * 1000;
  const windows = new LRUCache<string, Window>({ max: maxKeys });

  const current = (key: string, now: number): Window | undefined => {
    const window = windows.get(key);
    return window !== undefined && now < window.startMs + windowMs ? window : undefined;
  };

  return {
    check(key) {
      const now = clock();
      const window = current(key, now);
      if (window === undefined || window.failures < limit) {
        return { allowed: true };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.startMs + windowMs - now) / 1000)) };
    },
    recordFailure(key) {
      const now = clock();
      const window = current(key, now);
      if (window === undefined) {
        windows.set(key, { startMs: now, failures: 1 });
      } else {
        window.failures += 1;
      }
    },
  };
}
