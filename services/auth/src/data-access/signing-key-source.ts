import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { splitPemBlocks } from '../domain/signing-keys';
import { ConfigError, SigningKeyMissingError } from '../errors';

/** Where the local-development signing key is kept, inside `DATA_DIR`. */
export const LOCAL_KEY_FILE = 'signing-key.pem';

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
 * `DATA_DIR/signing-key.pem` (mode 0600) and reused on later starts, with a warning.
 * Also reads the previous public keys to keep publishing during a rotation.
 *
 * @param config - the service configuration
 * @param logger - for the local-key warning
 * @returns the private key PEM and the previous public key PEMs
 * @throws {SigningKeyMissingError} `SIGNING_KEY_MISSING` (variable `JWT_PRIVATE_KEY`) outside local mode without a key
 * @throws {ConfigError} `CONFIG_INVALID` when a configured file cannot be read
 * @example
 * const { privateKeyPem, previousPublicKeyPems } = resolveSigningKeyPems(config, logger);
 */
export function resolveSigningKeyPems(
  config: Pick<Config, 'env' | 'privateKey' | 'privateKeyFile' | 'previousPublicKeysFile' | 'dataDir'>,
  logger: Pick<Logger, 'warn'>,
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
  if (existsSync(path)) {
    logger.warn({ path }, 'using the generated local signing key; configure JWT_PRIVATE_KEY outside local development');
    return { privateKeyPem: readFileSync(path, 'utf8'), previousPublicKeyPems };
  }
  mkdirSync(dirname(path), { recursive: true });
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; set it exactly.
  chmodSync(path, 0o600);
  logger.warn({ path }, 'generated a local signing key; configure JWT_PRIVATE_KEY outside local development');
  return { privateKeyPem: pem, previousPublicKeyPems };
}
