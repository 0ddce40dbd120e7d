import { setTimeout as delay } from 'node:timers/promises';
import { TokenError } from './errors';
import { keysFromJwks, type JsonWebKeySet } from './key-store';

/** Options of {@link loadJwks}. */
export interface LoadJwksOptions {
  /** Abort one attempt after this long. Default 5000. */
  timeoutMs?: number;
  /** Further attempts after the first fails. Default 3. */
  retries?: number;
  /** Wait before the first retry; doubles each time, up to `maxRetryDelayMs`. Default 200. */
  retryDelayMs?: number;
  /**
   * The longest wait between two attempts. Default 1000: a service started beside the auth
   * service notices it answering within a second, rather than a doubled wait later.
   */
  maxRetryDelayMs?: number;
}

function checkOptions(options: LoadJwksOptions): Required<LoadJwksOptions> {
  const { timeoutMs = 5000, retries = 3, retryDelayMs = 200, maxRetryDelayMs = 1000 } = options;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError('timeoutMs must be a positive number');
  if (!Number.isInteger(retries) || retries < 0) throw new TypeError('retries must be a non-negative integer');
  if (!Number.isFinite(retryDelayMs) || retryDelayMs < 0) throw new TypeError('retryDelayMs must be a non-negative number');
  if (!Number.isFinite(maxRetryDelayMs) || maxRetryDelayMs < 0) throw new TypeError('maxRetryDelayMs must be a non-negative number');
  return { timeoutMs, retries, retryDelayMs, maxRetryDelayMs };
}

async function fetchOnce(url: string, timeoutMs: number): Promise<JsonWebKeySet> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new TokenError('JWKS_UNAVAILABLE', `fetching the JWKS from ${url} failed`, { cause });
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TokenError('JWKS_UNAVAILABLE', `the JWKS endpoint ${url} answered ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    throw new TokenError('JWKS_INVALID', `the JWKS from ${url} is not JSON`, { cause });
  }
  let usable: number;
  try {
    usable = keysFromJwks(body).length;
  } catch (cause) {
    throw new TokenError('JWKS_INVALID', `the document at ${url} is not a usable JWKS`, { cause });
  }
  if (usable === 0) throw new TokenError('JWKS_INVALID', `the JWKS at ${url} holds no ES256 signing key`);
  return body as JsonWebKeySet;
}

/**
 * Fetches and validates a JWKS, retrying with exponential backoff; meant for start-up, where a
 * service cannot verify anything without keys and should fail loudly rather than start.
 *
 * @param url - the JWKS endpoint, e.g. `http://auth:3000/.well-known/jwks.json`
 * @param options - timeout and retries, see {@link LoadJwksOptions}
 * @returns the JWKS, holding at least one usable ES256 key
 * @throws TokenError `JWKS_UNAVAILABLE` when every attempt failed (network, timeout, non-2xx);
 *   `JWKS_INVALID` at once when the endpoint answers with something that is not a usable JWKS
 * @throws TypeError for invalid options
 * @example
 * const jwks = await loadJwks('http://auth:3000/.well-known/jwks.json', { timeoutMs: 2000, retries: 5 });
 * const verifier = createVerifier({ issuer, audience, keys: jwks });
 */
export async function loadJwks(url: string, options: LoadJwksOptions = {}): Promise<JsonWebKeySet> {
  const { timeoutMs, retries, retryDelayMs, maxRetryDelayMs } = checkOptions(options);
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fetchOnce(url, timeoutMs);
    } catch (err) {
      // A malformed document will not fix itself within a retry; an outage might.
      const retryable = err instanceof TokenError && err.code === 'JWKS_UNAVAILABLE';
      if (!retryable || attempt >= retries) throw err;
    }
    await delay(Math.min(retryDelayMs * 2 ** attempt, maxRetryDelayMs));
  }
}
