import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The admin account the local overlay creates at start-up. */
export interface LocalAdmin {
  readonly email: string;
  readonly password: string;
}

/** What {@link writeLocalSecrets} did. */
export interface LocalSecretsResult {
  /** Files written now, relative to the directory; existing files are kept. */
  readonly created: readonly string[];
  /** Existing files given the keys they lacked (a directory from before the signals service), the others kept. */
  readonly completed: readonly string[];
  /** The admin credentials, when `admin.env` was written now (shown once). */
  readonly admin: LocalAdmin | undefined;
}

/** The email of the admin account of a local cluster. */
export const LOCAL_ADMIN_EMAIL = 'admin@veto.local';

/**
 * A password for a local Secret. It starts with a letter and holds only letters and digits:
 * nats-server parses an environment value referenced in its configuration as a value of its
 * own syntax, so one that starts with a digit or `-` would be read as a number or refused.
 */
function password(): string {
  return `v${randomBytes(24).toString('hex')}`;
}

function envFile(values: Readonly<Record<string, string>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${value}\n`)
    .join('');
}

function readEnvValue(path: string, key: string): string {
  const line = readFileSync(path, 'utf8')
    .split('\n')
    .find((candidate) => candidate.startsWith(`${key}=`));
  if (line === undefined) {
    throw new Error(`${path} has no ${key}=; delete the file to generate it again`);
  }
  return line.slice(key.length + 1);
}

/**
 * Writes the files the local overlay's secretGenerator reads: the ES256 signing key of auth, the
 * RSA signing key of signals, the NATS passwords, the PostgreSQL password with the matching
 * connection strings, and the admin account. A file that exists is kept, so running it again
 * changes nothing: PostgreSQL keeps the password it was initialised with, and tokens stay valid
 * across re-deployments; an env file that lacks a key a newer service needs gets it appended.
 *
 * @param dir - the overlay's `secrets/` directory (created when missing)
 * @returns the files written or completed now and, when `admin.env` was written, the admin credentials
 * @throws {Error} when an existing `postgres.env` has no password to build `database.env` from
 * @example
 * const { created, admin } = writeLocalSecrets('infra/k8s/overlays/local/secrets');
 */
export function writeLocalSecrets(dir: string): LocalSecretsResult {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const completed: string[] = [];
  const write = (name: string, content: () => string): void => {
    const path = join(dir, name);
    if (existsSync(path)) {
      return;
    }
    writeFileSync(path, content(), { mode: 0o600, flag: 'wx' });
    created.push(name);
  };
  /** An env file with every key of `values`: written when missing, else given the keys it lacks. */
  const writeEnv = (name: string, values: () => Record<string, string>): void => {
    const path = join(dir, name);
    if (!existsSync(path)) {
      write(name, () => envFile(values()));
      return;
    }
    const text = readFileSync(path, 'utf8');
    const missing = Object.entries(values()).filter(([key]) => !text.split('\n').some((line) => line.startsWith(`${key}=`)));
    if (missing.length === 0) {
      return;
    }
    appendFileSync(path, `${text.endsWith('\n') || text === '' ? '' : '\n'}${envFile(Object.fromEntries(missing))}`);
    completed.push(name);
  };

  write('signing-key.pem', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  // The signals service signs Security Event Tokens with RS256 (receivers expect RSA), with a key of its own.
  write('signals-signing-key.pem', () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  writeEnv('nats.env', () => ({ 'auth-password': password(), 'tickets-password': password(), 'signals-password': password() }));
  write('postgres.env', () => envFile({ password: password() }));
  writeEnv('database.env', () => {
    const databasePassword = readEnvValue(join(dir, 'postgres.env'), 'password');
    // One development server and database; each service keeps its tables in its own schema.
    const url = `postgres://veto:${databasePassword}@postgres:5432/veto`;
    return { 'auth-url': url, 'tickets-url': url, 'signals-url': url };
  });
  let admin: LocalAdmin | undefined;
  write('admin.env', () => {
    admin = { email: LOCAL_ADMIN_EMAIL, password: password() };
    return envFile({ email: admin.email, password: admin.password });
  });
  return { created, completed, admin };
}
