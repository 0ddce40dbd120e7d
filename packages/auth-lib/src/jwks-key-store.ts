import type { KeyObject } from 'node:crypto';
import { isTokenError } from './errors';
import { readJwksCacheFile, writeJwksCacheFile } from './jwks-cache-file';
import { keyMap, keysFromJwks, type JsonWebKeySet, type KeyStore } from './key-store';
import { loadJwks, type LoadJwksOptions } from './load-jwks';

/** Options of {@link createJwksKeyStore}. */
export interface JwksKeyStoreOptions extends LoadJwksOptions {
  /** The JWKS endpoint. */
  url: string;
  /** At most one refetch per this many ms, however many unknown kids arrive. Default 30 000. */
  minRefetchIntervalMs?: number;
  /** Milliseconds since the epoch; injected for tests. Default `Date.now`. */
  clock?: () => number;
  /**
   * A file holding the last JWKS fetched: every successful fetch replaces it (atomically), and
   * when the start-up fetch fails with `JWKS_UNAVAILABLE` the store starts from it instead, so
   * an instance can restart while the auth service is down. Unset: no file.
   */
  cacheFile?: string;
  /** Receives background refetch failures, a start from the cache file, and cache file problems. */
  logger?: { warn(obj: object, msg?: string): void };
}

/** A key store backed by a JWKS URL that follows key rotation without restarts. */
export interface JwksKeyStore extends KeyStore {
  /** Refetches now; keeps the current keys and rejects when the fetch fails. */
  refresh(): Promise<void>;
  /**
   * The last background refetch failure (or the start-up fetch failure when the store started
   * from its cache file), or undefined once a fetch succeeded.
   */
  readonly lastRefreshError: unknown;
}

/**
 * Loads a JWKS at start-up and, when a token names an unknown `kid`, refetches in the
 * background at most once per `minRefetchIntervalMs`. The request that met the unknown kid
 * fails with `TOKEN_UNKNOWN_KEY` (verification is synchronous); requests after the refetch
 * succeed. When the auth service is down the known keys keep working; with `cacheFile`, a
 * restart while it is down starts from the keys last fetched.
 *
 * @param options - see {@link JwksKeyStoreOptions}
 * @throws TokenError `JWKS_UNAVAILABLE` when the initial load fails and no usable cache file exists;
 *   `JWKS_INVALID` when the endpoint answers with something that is not a usable JWKS (never
 *   replaced by the cache file: that is a misconfiguration, not an outage)
 * @throws TypeError for invalid options
 * @example
 * const keys = await createJwksKeyStore({ url: 'http://auth:3000/.well-known/jwks.json', cacheFile: '/data/jwks.json', logger });
 * const verifier = createVerifier({ issuer, audience, keys });
 */
export async function createJwksKeyStore(options: JwksKeyStoreOptions): Promise<JwksKeyStore> {
  const { url, minRefetchIntervalMs = 30_000, clock = Date.now, cacheFile, logger, ...loadOptions } = options;
  if (typeof url !== 'string' || url.length === 0) throw new TypeError('url must be a non-empty string');
  if (!Number.isFinite(minRefetchIntervalMs) || minRefetchIntervalMs < 0) {
    throw new TypeError('minRefetchIntervalMs must be a non-negative number');
  }
  if (cacheFile !== undefined && (typeof cacheFile !== 'string' || cacheFile.length === 0)) {
    throw new TypeError('cacheFile must be a non-empty string when given');
  }

  // The cache is a convenience: failing to write it must not fail a fetch that succeeded.
  const persist = async (jwks: JsonWebKeySet): Promise<void> => {
    if (cacheFile === undefined) return;
    try {
      await writeJwksCacheFile(cacheFile, jwks);
    } catch (err) {
      logger?.warn({ err, file: cacheFile }, 'writing the JWKS cache file failed; keeping the previous one');
    }
  };

  let lastRefreshError: unknown;
  const fromCache = async (fetchError: unknown): Promise<JsonWebKeySet> => {
    // Only an outage falls back: an invalid answer means a wrong URL or a broken auth
    // service, which starting on old keys would hide.
    if (cacheFile === undefined || !isTokenError(fetchError, 'JWKS_UNAVAILABLE')) throw fetchError;
    let cached: Awaited<ReturnType<typeof readJwksCacheFile>>;
    try {
      cached = await readJwksCacheFile(cacheFile);
    } catch (err) {
      logger?.warn({ err, file: cacheFile }, 'the JWKS cache file is unusable; ignoring it');
      throw fetchError;
    }
    if (cached === undefined) throw fetchError;
    lastRefreshError = fetchError;
    logger?.warn({ err: fetchError, url, file: cacheFile, ageMs: Math.max(0, clock() - cached.writtenAt) }, 'fetching the JWKS failed; starting with the keys from the cache file');
    return cached.jwks;
  };

  let initial: JsonWebKeySet;
  try {
    initial = await loadJwks(url, loadOptions);
    await persist(initial);
  } catch (fetchError) {
    initial = await fromCache(fetchError);
  }
  let keys: ReadonlyMap<string, KeyObject> = keyMap(keysFromJwks(initial));
  let lastFetchAt = clock();
  let inFlight: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    lastFetchAt = clock();
    inFlight ??= loadJwks(url, { ...loadOptions, retries: 0 })
      .then(async (jwks) => {
        keys = keyMap(keysFromJwks(jwks));
        lastRefreshError = undefined;
        await persist(jwks);
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
