import { randomBytes } from 'node:crypto';
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
}

/** What {@link loadOrCreateSecrets} found or made. */
export interface StackSecrets {
  readonly admin: AdminCredentials;
  readonly nats: NatsPasswords;
  /** True until a start has shown the admin password (see {@link markAdminAnnounced}), which happens once. */
  readonly firstStart: boolean;
}

/** The file holding the admin's email and password, relative to the data directory. */
export const ADMIN_FILE = 'admin.json';
/** Exists once a start has shown the admin password; relative to the data directory. */
export const ADMIN_ANNOUNCED_FILE = 'admin.announced';
/** The file holding the NATS passwords, relative to the data directory. */
export const NATS_CREDENTIALS_FILE = 'nats-credentials.json';

const password = (): string => randomBytes(18).toString('base64url');
// nats-server parses a `$VARIABLE`'s value as a configuration token: one starting with a digit may
// be read as a number or a size (`1e5x` fails to parse). A letter followed by hex is always a string.
const natsPassword = (): string => `v${randomBytes(20).toString('hex')}`;

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
 * Reads the stack's generated secrets from the data directory, generating them (files mode 0600)
 * on the first start. Nothing here is ever committed: the data directory is git-ignored.
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
  const nats = await readOrCreate<NatsPasswords>(join(dataDir, NATS_CREDENTIALS_FILE), () => ({ auth: natsPassword(), tickets: natsPassword() }));
  const announced = await readFile(join(dataDir, ADMIN_ANNOUNCED_FILE)).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  return { admin, nats, firstStart: !announced };
}

/**
 * Records that the admin password has been shown, so later starts only point at the file.
 * A first start that fails before its banner shows it again next time.
 *
 * @param dataDir - the stack's data directory
 * @example
 * await markAdminAnnounced(config.dataDir);
 */
export async function markAdminAnnounced(dataDir: string): Promise<void> {
  await writeFile(join(dataDir, ADMIN_ANNOUNCED_FILE), `${new Date().toISOString()}\n`, { mode: 0o600 });
}
