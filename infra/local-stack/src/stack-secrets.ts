import { randomBytes } from 'node:crypto';
import { hashSync } from '@node-rs/bcrypt';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The admin account the launcher creates on first start. */
export interface AdminCredentials {
  readonly email: string;
  readonly password: string;
}

/** The NATS passwords of `infra/nats/veto.conf`'s users. */
export interface NatsPasswords {
  readonly auth: string;
  readonly tickets: string;
  readonly signals: string;
}

/** What nats-server is given for the same users: bcrypt hashes of {@link NatsPasswords}, never the passwords. */
export interface NatsServerPasswords {
  readonly auth: string;
  readonly tickets: string;
  readonly signals: string;
}

/** The client of the auth service's introspection endpoint (`INTROSPECTION_CLIENT_ID`, `INTROSPECTION_CLIENT_SECRET`). */
export interface IntrospectionClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** What {@link loadOrCreateSecrets} found or made. */
export interface StackSecrets {
  readonly admin: AdminCredentials;
  readonly nats: NatsPasswords;
  /** The same passwords bcrypt-hashed, for nats-server's configuration. */
  readonly natsServer: NatsServerPasswords;
  readonly introspection: IntrospectionClient;
  /** True until a start has shown the admin password and the introspection secret (see {@link markAdminAnnounced}), which happens once. */
  readonly firstStart: boolean;
}

/** The file holding the admin's email and password, relative to the data directory. */
export const ADMIN_FILE = 'admin.json';
/** Exists once a start has shown the admin password; relative to the data directory. */
export const ADMIN_ANNOUNCED_FILE = 'admin.announced';
/** The file holding the NATS passwords, relative to the data directory. */
export const NATS_CREDENTIALS_FILE = 'nats-credentials.json';
/** The file holding the bcrypt hashes of the NATS passwords that nats-server is given, relative to the data directory. */
export const NATS_SERVER_PASSWORDS_FILE = 'nats-server-passwords.json';
/** The file holding the introspection client's id and secret, relative to the data directory. */
export const INTROSPECTION_CLIENT_FILE = 'introspection-client.json';
/** The client id of the local stack's introspection client. */
export const INTROSPECTION_CLIENT_ID = 'veto-local';

const password = (): string => randomBytes(18).toString('base64url');
// base64url only: its characters read the same form-urlencoded or not, so clients that encode
// client_secret_basic credentials (RFC 6749 §2.3.1, openid-client) and clients that do not (authlib) both work.
const introspectionSecret = (): string => randomBytes(24).toString('base64url');
// nats-server parses a `$VARIABLE`'s value as a configuration token: one starting with a digit may
// be read as a number or a size (`1e5x` fails to parse). A letter followed by hex is always a string.
const natsPassword = (): string => `v${randomBytes(20).toString('hex')}`;
// nats-server accepts a bcrypt hash wherever a password goes, and warns ("Plaintext passwords
// detected") at every start otherwise. The passwords are 160 random bits, so the cost guards little;
// 10 keeps the check nats-server makes on every connect short on a busy machine. `2a` is the
// version nats-server's documentation shows.
const bcrypt = (password: string): string => hashSync(password, { cost: 10, version: '2a' });

/** The users of `infra/nats/veto.conf`, each with a password of its own. */
const NATS_USERS = ['auth', 'tickets', 'signals'] as const;

async function readOrCreate<T>(path: string, create: () => T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = create();
  // Owner-only, and never overwritten: a second launcher racing this one fails instead of changing the password.
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

/**
 * Reads a file with a value per NATS user, creating it, or adding the users it lacks (a data
 * directory from before the signals service), with `create`; the values it has are kept.
 */
async function completeFile<T extends Record<(typeof NATS_USERS)[number], string>>(path: string, create: (user: (typeof NATS_USERS)[number]) => string): Promise<T> {
  const fresh = () => Object.fromEntries(NATS_USERS.map((user) => [user, create(user)])) as T;
  const found = await readOrCreate<Partial<T>>(path, fresh);
  const missing = NATS_USERS.filter((user) => found[user] === undefined);
  if (missing.length === 0) return found as T;
  const completed = { ...found, ...Object.fromEntries(missing.map((user) => [user, create(user)])) } as T;
  // Rewritten in place, still owner-only: the kept values are unchanged.
  await writeFile(path, `${JSON.stringify(completed, null, 2)}\n`, { mode: 0o600 });
  return completed;
}

/**
 * Reads the stack's generated secrets from the data directory, generating them (files mode 0600)
 * on the first start: the admin's password, the NATS users' passwords and their bcrypt hashes for nats-server, the introspection client's
 * secret (a data directory made before it existed gets one on its next start). Nothing here is ever committed: the data directory is git-ignored.
 *
 * @param dataDir - the stack's data directory, created when missing
 * @param adminEmail - the admin's email, used only when the admin file is created
 * @throws Error from the file system, or SyntaxError for a corrupted file
 * @example
 * const { admin, firstStart } = await loadOrCreateSecrets('/home/ada/veto/.data', 'admin@example.com');
 */
export async function loadOrCreateSecrets(dataDir: string, adminEmail: string): Promise<StackSecrets> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const admin = await readOrCreate<AdminCredentials>(join(dataDir, ADMIN_FILE), () => ({ email: adminEmail, password: password() }));
  const nats = await completeFile<NatsPasswords>(join(dataDir, NATS_CREDENTIALS_FILE), () => natsPassword());
  // Derived from the passwords above, so a data directory from before hashing gets its file on its
  // next start, and one from before a user existed gets that user's hash.
  const natsServer = await completeFile<NatsServerPasswords>(join(dataDir, NATS_SERVER_PASSWORDS_FILE), (user) => bcrypt(nats[user]));
  const introspection = await readOrCreate<IntrospectionClient>(join(dataDir, INTROSPECTION_CLIENT_FILE), () => ({
    clientId: INTROSPECTION_CLIENT_ID,
    clientSecret: introspectionSecret(),
  }));
  const announced = await readFile(join(dataDir, ADMIN_ANNOUNCED_FILE)).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  return { admin, nats, natsServer, introspection, firstStart: !announced };
}

/**
 * Records that the admin password and the introspection secret have been shown, so later starts only point at their files.
 * A first start that fails before its banner shows it again next time.
 *
 * @param dataDir - the stack's data directory
 * @example
 * await markAdminAnnounced(config.dataDir);
 */
export async function markAdminAnnounced(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, ADMIN_ANNOUNCED_FILE), `${new Date().toISOString()}\n`, { mode: 0o600 });
}
