import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { splitPemBlocks } from '../domain/signing-keys';
import { ConfigError, SigningKeyMissingError } from '../errors';

/** Where the local-development signing key is kept, inside `DATA_DIR`. */
export const LOCAL_KEY_FILE = 'signing-key.pem';

const LOCAL_KEY_MESSAGE = 'local mode: tokens are signed with the development key kept in DATA_DIR, as expected here; a deployment sets JWT_PRIVATE_KEY_FILE instead';

function readConfiguredFile(variable: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(variable, `${variable}: cannot read ${path}`, { cause: error });
  }
}

/**
 * Finds the PEM private signing key: `JWT_PRIVATE_KEY`, else the file named by
 * `JWT_PRIVATE_KEY_FILE`, else — in local mode only — a P-256 key generated once into
 * `DATA_DIR/signing-key.pem` (mode 0600) and reused on later starts, said once at info level.
 * Also reads the previous public keys to keep publishing during a rotation.
 *
 * @param config - the service configuration
 * @param logger - for the line saying which local key signs
 * @returns the private key PEM and the previous public key PEMs
 * @throws {SigningKeyMissingError} `SIGNING_KEY_MISSING` (variable `JWT_PRIVATE_KEY`) outside local mode without a key
 * @throws {ConfigError} `CONFIG_INVALID` when a configured file cannot be read
 * @example
 * const { privateKeyPem, previousPublicKeyPems } = resolveSigningKeyPems(config, logger);
 */
export function resolveSigningKeyPems(
  config: Pick<Config, 'env' | 'privateKey' | 'privateKeyFile' | 'previousPublicKeysFile' | 'dataDir'>,
  logger: Pick<Logger, 'info'>,
): { privateKeyPem: string; previousPublicKeyPems: string[] } {
  const previousPublicKeyPems =
    config.previousPublicKeysFile === undefined ? [] : splitPemBlocks(readConfiguredFile('JWT_PREVIOUS_PUBLIC_KEYS_FILE', config.previousPublicKeysFile));
  if (config.privateKey !== undefined) {
    // Env values often arrive with literal "\n" sequences instead of line breaks.
    return { privateKeyPem: config.privateKey.replaceAll('\\n', '\n'), previousPublicKeyPems };
  }
  if (config.privateKeyFile !== undefined) {
    return { privateKeyPem: readConfiguredFile('JWT_PRIVATE_KEY_FILE', config.privateKeyFile), previousPublicKeyPems };
  }
  if (config.env !== 'local') {
    throw new SigningKeyMissingError('JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE) is required outside local mode (VETO_ENV=local)');
  }
  const path = join(config.dataDir, LOCAL_KEY_FILE);
  // Info, not a warning: in local mode this is the expected set-up and nothing is to be done, and
  // outside local mode this branch is unreachable (the throw above).
  if (existsSync(path)) {
    logger.info({ path }, LOCAL_KEY_MESSAGE);
    return { privateKeyPem: readFileSync(path, 'utf8'), previousPublicKeyPems };
  }
  mkdirSync(dirname(path), { recursive: true });
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; set it exactly.
  chmodSync(path, 0o600);
  logger.info({ path }, `${LOCAL_KEY_MESSAGE} (generated now)`);
  return { privateKeyPem: pem, previousPublicKeyPems };
}
