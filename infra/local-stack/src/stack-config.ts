import { isAbsolute, join } from 'node:path';
import { ConfigError, integerSetting, loadConfigFrom, type ConfigKeySpec, type ConfigOf } from '@veto/service-kit';
import { z } from 'zod';

const port = integerSetting(1, 65535);

/**
 * Every setting of the local stack's launcher, as data (the README lists them from here).
 *
 * @example
 * for (const spec of Object.values(STACK_CONFIG_SPEC)) console.log(spec.env, spec.default);
 */
export const STACK_CONFIG_SPEC = {
  gatewayPort: { env: 'GATEWAY_PORT', description: 'Port of the gateway, the one origin for browsers and curl.', default: '3000', schema: port },
  authPort: { env: 'AUTH_PORT', description: 'Port of the auth service (loopback only).', default: '3001', schema: port },
  ticketsPort: { env: 'TICKETS_PORT', description: 'Port of the tickets service (loopback only).', default: '3002', schema: port },
  signalsPort: { env: 'SIGNALS_PORT', description: 'Port of the signals service, the Shared Signals transmitter (loopback only).', default: '3003', schema: port },
  dataDir: {
    env: 'VETO_DATA_DIR',
    description: 'Where everything is kept between runs: databases, signing key, JetStream store, generated passwords. Relative to the repository root.',
    default: '.data',
    schema: z.string().min(1),
  },
  natsUrl: {
    env: 'NATS_URL',
    description: 'Use this running nats-server (JetStream enabled, no credentials) instead of starting one.',
    default: undefined,
    schema: z.string().min(1).optional(),
  },
  adminEmail: { env: 'ADMIN_EMAIL', description: 'Email of the admin account created on first start.', default: 'admin@example.com', schema: z.email() },
  logLevel: {
    env: 'LOG_LEVEL',
    description: "The services' pino log level.",
    default: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} as const satisfies Record<string, ConfigKeySpec>;

/** The launcher's validated, frozen settings; `dataDir` is absolute. */
export type StackConfig = ConfigOf<typeof STACK_CONFIG_SPEC>;

/**
 * Reads the launcher's settings from environment variables, once. An empty variable counts as unset.
 *
 * @param env - the variables (`process.env` in `main.ts`)
 * @param repositoryRoot - what a relative `VETO_DATA_DIR` is resolved against
 * @throws {ConfigError} `CONFIG_INVALID` naming the first bad variable
 * @example
 * const config = loadStackConfig(process.env, '/home/ada/veto');
 */
export function loadStackConfig(env: Readonly<Record<string, string | undefined>>, repositoryRoot: string): StackConfig {
  const parsed = loadConfigFrom(STACK_CONFIG_SPEC, env);
  const ports = [parsed.gatewayPort, parsed.authPort, parsed.ticketsPort, parsed.signalsPort];
  if (new Set(ports).size !== ports.length) throw new ConfigError('GATEWAY_PORT', `GATEWAY_PORT, AUTH_PORT, TICKETS_PORT and SIGNALS_PORT must differ, got ${ports.join(', ')}`);
  return Object.freeze({ ...parsed, dataDir: isAbsolute(parsed.dataDir) ? parsed.dataDir : join(repositoryRoot, parsed.dataDir) });
}
