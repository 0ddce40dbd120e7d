import { generateKeyPairSync } from 'node:crypto';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createTestClock, type TestClock } from '@veto/auth-lib/testing';
import { createApp } from '../app';
import { loadConfig, type Config } from '../config';
import { createFleetView, type FleetView } from '../domain/fleet-view';
import { createPasswordHasher, type PasswordHasher } from '../domain/password-hasher';
import { createSigningKeys, type SigningKeys } from '../domain/signing-keys';
import type { DatabaseHandle } from '../data-access/database';

// One test clock for the whole workspace; re-exported so auth's tests keep one import.
export { createTestClock, type TestClock };

/**
 * A fresh P-256 private key in PEM.
 *
 * @example
 * const keys = createSigningKeys({ privateKeyPem: generateTestKeyPem() });
 */
export function generateTestKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

// Cheap argon2 parameters: tests exercise the logic, production uses the OWASP defaults.
const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' };

let sharedPasswords: Promise<PasswordHasher> | undefined;

/** A running test app and what it was built from. */
export interface TestApp {
  readonly app: Express;
  readonly clock: TestClock;
  readonly config: Config;
  readonly keys: SigningKeys;
  readonly passwords: PasswordHasher;
  /** The fleet view the app reads, on the test clock: empty unless the test feeds it. */
  readonly fleet: FleetView;
  readonly metricsRegistry: Registry;
}

/**
 * Builds the real app on a test database with a frozen clock, a fresh signing key and
 * cheap argon2 parameters. Environment overrides use the real variable names.
 *
 * @param database - from `openTestDatabase`, or a second handle on its database (another replica)
 * @param env - configuration overrides, e.g. `{ SIGNIN_RATE_LIMIT_PER_EMAIL: '2' }`
 * @param overrides - signing keys (default: a fresh key), logger (default: silent) and password hasher (default: one shared cheap hasher)
 * @example
 * const { app, clock } = await createTestApp(database);
 * await request(app).post('/api/users/signup').send({ email, password }).expect(201);
 */
export async function createTestApp(
  database: DatabaseHandle,
  env: Record<string, string> = {},
  overrides: { keys?: SigningKeys; logger?: Logger; passwords?: PasswordHasher } = {},
): Promise<TestApp> {
  const config = loadConfig({ ...CHEAP_ARGON2, ...env });
  sharedPasswords ??= createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism });
  const passwords = overrides.passwords ?? (await sharedPasswords);
  const clock = createTestClock();
  const keys = overrides.keys ?? createSigningKeys({ privateKeyPem: generateTestKeyPem() });
  const logger = overrides.logger ?? pino({ level: 'silent' });
  const fleet = createFleetView({ clock });
  const metricsRegistry = new Registry();
  const app = createApp({ config, database, clock, keys, passwords, logger, metricsRegistry, fleet });
  return { app, clock, config, keys, passwords, fleet, metricsRegistry };
}
