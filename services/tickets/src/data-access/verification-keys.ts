import { readFile } from 'node:fs/promises';
import { createJwksKeyStore, keysFromJwks, type JsonWebKeySet, type KeyStore } from '@veto/auth-lib';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { ConfigError } from '../errors';

/**
 * The auth service's public keys: from the `JWT_PUBLIC_KEYS_FILE` JWKS when set (no network),
 * else fetched from `JWKS_URL` (with retries) and refetched when a token names an unknown key.
 * Either way the keys stay usable when the auth service goes down later.
 *
 * @param config - `publicKeysFile` and `jwksUrl`
 * @param logger - receives background refetch failures
 * @returns a JWKS object or a key store, as `createVerifier({ keys })` takes them
 * @throws {ConfigError} `CONFIG_INVALID` naming `JWT_PUBLIC_KEYS_FILE` when the file cannot be read or holds no ES256 key
 * @throws AuthError `JWKS_UNAVAILABLE` / `JWKS_INVALID` from `@veto/auth-lib` when the JWKS cannot be fetched
 * @example
 * const keys = await loadVerificationKeys(config, logger);
 */
export async function loadVerificationKeys(config: Pick<Config, 'publicKeysFile' | 'jwksUrl'>, logger: Logger): Promise<JsonWebKeySet | KeyStore> {
  if (config.publicKeysFile === undefined) {
    return createJwksKeyStore({ url: config.jwksUrl, timeoutMs: 2000, retries: 5, logger });
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
