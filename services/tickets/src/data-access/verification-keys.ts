import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createJwksKeyStore, keysFromJwks, type JsonWebKeySet, type KeyStore } from '@veto/auth-lib';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ConfigError } from '../errors';

/** The `JWKS_CACHE_FILE` value that turns the cache file off. */
export const JWKS_CACHE_OFF = 'off';

/** Where the fetched JWKS is kept: `JWKS_CACHE_FILE`, else `DATA_DIR/jwks.json`; undefined when turned off. */
export function jwksCacheFilePath(config: Pick<Config, 'jwksCacheFile' | 'dataDir'>): string | undefined {
  if (config.jwksCacheFile === JWKS_CACHE_OFF) return undefined;
  return config.jwksCacheFile ?? join(config.dataDir, 'jwks.json');
}

/**
 * The auth service's public keys: from the `JWT_PUBLIC_KEYS_FILE` JWKS when set (no network),
 * else fetched from `JWKS_URL` (with retries) and refetched when a token names an unknown key.
 * Either way the keys stay usable when the auth service goes down later. Fetched keys are kept
 * in the JWKS cache file, so an instance restarted while the auth service is down starts with them.
 *
 * @param config - `publicKeysFile`, `jwksUrl`, `jwksCacheFile` and `dataDir`
 * @param logger - receives background refetch failures, a start from the cache file, and cache file problems
 * @returns a JWKS object or a key store, as `createVerifier({ keys })` takes them
 * @throws {ConfigError} `CONFIG_INVALID` naming `JWT_PUBLIC_KEYS_FILE` when the file cannot be read or holds no ES256 key
 * @throws TokenError `JWKS_UNAVAILABLE` from `@veto/auth-lib` when the JWKS cannot be fetched and no usable cache file exists;
 *   `JWKS_INVALID` when `JWKS_URL` answers with something that is not a usable JWKS (whatever the cache file holds)
 * @example
 * const keys = await loadVerificationKeys(config, logger);
 */
export async function loadVerificationKeys(config: Pick<Config, 'publicKeysFile' | 'jwksUrl' | 'jwksCacheFile' | 'dataDir'>, logger: Logger): Promise<JsonWebKeySet | KeyStore> {
  if (config.publicKeysFile === undefined) {
    // Ten retries, at most a second apart (~8.4 s in all): an auth service starting beside this
    // one is noticed within a second of answering, and an unreachable one falls back to the cache file.
    return createJwksKeyStore({ url: config.jwksUrl, timeoutMs: 2000, retries: 10, cacheFile: jwksCacheFilePath(config), logger });
  }
  let jwks: unknown;
  try {
    jwks = JSON.parse(await readFile(config.publicKeysFile, 'utf8'));
    if (keysFromJwks(jwks).length === 0) throw new TypeError('the JWKS holds no ES256 signing key');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError('JWT_PUBLIC_KEYS_FILE', `JWT_PUBLIC_KEYS_FILE is invalid: ${reason}`, { cause: error });
  }
  return jwks as JsonWebKeySet;
}
