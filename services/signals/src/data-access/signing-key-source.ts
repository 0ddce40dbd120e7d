import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { createSigningKey, MIN_RSA_BITS, type SigningKey } from '../domain/signing-key';
import { ConfigError } from '../errors';

/** Where the local-development signing key is kept, inside `DATA_DIR`. */
export const LOCAL_KEY_FILE = 'signing-key.pem';

const LOCAL_KEY_MESSAGE = 'local mode: Security Event Tokens are signed with the development key kept in DATA_DIR; a deployment sets SIGNALS_PRIVATE_KEY_FILE';

/** The key in `text`, or a configuration error naming `variable` (the one to fix). */
function keyFrom(variable: string, source: string, text: string): SigningKey {
  try {
    return createSigningKey(text);
  } catch (error) {
    throw new ConfigError(variable, `${variable}: ${source} is unusable: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Loads the RS256 signing key, once: the PEM file named by `SIGNALS_PRIVATE_KEY_FILE`, else — in
 * local mode only — an RSA key generated once into `DATA_DIR/signing-key.pem` (mode 0600) and
 * reused on later starts, said once at info level. The same pattern as the auth service's ES256
 * key, with this service's own key: the two never share one.
 *
 * @param config - the service configuration
 * @param logger - for the line saying which local key signs
 * @returns the signing key
 * @throws {ConfigError} `CONFIG_INVALID` naming `SIGNALS_PRIVATE_KEY_FILE` when it is unset outside
 *   local mode, unreadable, or not an RSA private key of at least 2048 bits (`DATA_DIR` for a
 *   damaged local key)
 * @example
 * const key = loadSigningKey(config, logger);
 */
export function loadSigningKey(config: Pick<Config, 'env' | 'privateKeyFile' | 'dataDir'>, logger: Pick<Logger, 'info'>): SigningKey {
  if (config.privateKeyFile !== undefined) {
    let pem: string;
    try {
      pem = readFileSync(config.privateKeyFile, 'utf8');
    } catch (error) {
      throw new ConfigError('SIGNALS_PRIVATE_KEY_FILE', `SIGNALS_PRIVATE_KEY_FILE: cannot read ${config.privateKeyFile}`, { cause: error });
    }
    return keyFrom('SIGNALS_PRIVATE_KEY_FILE', config.privateKeyFile, pem);
  }
  if (config.env !== 'local') {
    throw new ConfigError('SIGNALS_PRIVATE_KEY_FILE', 'SIGNALS_PRIVATE_KEY_FILE is required outside local mode (VETO_ENV=local)');
  }
  const path = join(config.dataDir, LOCAL_KEY_FILE);
  if (existsSync(path)) {
    logger.info({ path }, LOCAL_KEY_MESSAGE);
    return keyFrom('DATA_DIR', path, readFileSync(path, 'utf8'));
  }
  mkdirSync(dirname(path), { recursive: true });
  const pem = generateKeyPairSync('rsa', { modulusLength: MIN_RSA_BITS }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  // 'wx': two instances starting on one DATA_DIR never overwrite each other's key.
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; set it exactly.
  chmodSync(path, 0o600);
  logger.info({ path }, `${LOCAL_KEY_MESSAGE} (generated now)`);
  return keyFrom('DATA_DIR', path, pem);
}
