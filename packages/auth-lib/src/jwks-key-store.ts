import type { KeyObject } from 'node:crypto';
import { keyMap, keysFromJwks, type KeyStore } from './key-store';
import { loadJwks, type LoadJwksOptions } from './load-jwks';

/** Options of {@link createJwksKeyStore}. */
export interface JwksKeyStoreOptions extends LoadJwksOptions {
  /** The JWKS endpoint. */
  url: string;
  /** At most one refetch per this many ms, however many unknown kids arrive. Default 30 000. */
  minRefetchIntervalMs?: number;
  /** Milliseconds since the epoch; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /** Receives background refetch failures; the store keeps its keys either way. */
  logger?: { warn(obj: object, msg?: string): void };
}

/** A key store backed by a JWKS URL that follows key rotation without restarts. */
export interface JwksKeyStore extends KeyStore {
  /** Refetches now; keeps the current keys and rejects when the fetch fails. */
  refresh(): Promise<void>;
  /** The last background refetch failure, or undefined once a refetch succeeded. */
  readonly lastRefreshError: unknown;
}

/**
 * Loads a JWKS at start-up and, when a token names an unknown `kid`, refetches in the
 * background at most once per `minRefetchIntervalMs`. The request that met the unknown kid
 * fails with `TOKEN_UNKNOWN_KEY` (verification is synchronous); requests after the refetch
 * succeed. When the auth service is down the known keys keep working.
 *
 * @param options - see {@link JwksKeyStoreOptions}
 * @throws AuthError `JWKS_UNAVAILABLE` / `JWKS_INVALID` when the initial load fails (see {@link loadJwks})
 * @throws TypeError for invalid options
 * @example
 * const keys = await createJwksKeyStore({ url: 'http://auth:3000/.well-known/jwks.json', logger });
 * const verifier = createVerifier({ issuer, audience, keys });
 */
export async function createJwksKeyStore(options: JwksKeyStoreOptions): Promise<JwksKeyStore> {
  const { url, minRefetchIntervalMs = 30_000, clock = Date.now, logger, ...loadOptions } = options;
  if (typeof url !== 'string' || url.length === 0) throw new TypeError('url must be a non-empty string');
  if (!Number.isFinite(minRefetchIntervalMs) || minRefetchIntervalMs < 0) {
    throw new TypeError('minRefetchIntervalMs must be a non-negative number');
  }
  let keys: ReadonlyMap<string, KeyObject> = keyMap(keysFromJwks(await loadJwks(url, loadOptions)));
  let lastFetchAt = clock();
  let inFlight: Promise<void> | undefined;
  let lastRefreshError: unknown;

  const refresh = (): Promise<void> => {
    lastFetchAt = clock();
    inFlight ??= loadJwks(url, { ...loadOptions, retries: 0 })
      .then((jwks) => {
        keys = keyMap(keysFromJwks(jwks));
        lastRefreshError = undefined;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return {
    getKey(kid) {
      const key = keys.get(kid);
      if (key === undefined && inFlight === undefined && clock() - lastFetchAt >= minRefetchIntervalMs) {
        refresh().catch((err: unknown) => {
          lastRefreshError = err;
          logger?.warn({ err, url }, 'JWKS refetch failed; keeping the known keys');
        });
      }
      return key;
    },
    refresh,
    get lastRefreshError() {
      return lastRefreshError;
    },
  };
}
