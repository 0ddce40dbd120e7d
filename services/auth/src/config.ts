import {
  checkSharedSettings,
  HTTP_ORIGIN_SETTINGS,
  integerSetting as integer,
  loadConfigFrom,
  databaseSettings,
  LOG_LEVEL_SETTING,
  natsSettings,
  optionalTextSetting as optionalText,
  STREAM_SETTINGS,
  type ConfigKeySpec,
  type ConfigOf,
} from '@veto/service-kit';
import { isSchemaName } from '@veto/storage';
import { z } from 'zod';
import { ConfigError } from './errors';

export type { ConfigKeySpec } from '@veto/service-kit';

/**
 * Every configuration key of the auth service, as data: the README's configuration
 * table is generated from it, and `loadConfig` parses exactly these variables.
 *
 * @example
 * for (const spec of Object.values(CONFIG_SPEC)) console.log(`| ${spec.env} | ${spec.default ?? ''} | ${spec.description} |`);
 */
export const CONFIG_SPEC = {
  ...LOG_LEVEL_SETTING,
  ...natsSettings('auth', 'The service starts and serves without it; the outbox is published once it answers.'),
  ...STREAM_SETTINGS,
  env: {
    env: 'VETO_ENV',
    description: "`production` or `local`. `local` drops the cookies' `Secure` flag and generates a signing key when none is configured.",
    default: 'production',
    schema: z.enum(['production', 'local']),
  },
  host: { env: 'HOST', description: 'Interface the HTTP server binds to.', default: '0.0.0.0', schema: z.string().min(1) },
  port: { env: 'PORT', description: 'HTTP port.', default: '3001', schema: integer(0, 65535) },
  ...HTTP_ORIGIN_SETTINGS,
  ...databaseSettings('auth', isSchemaName),
  dataDir: {
    env: 'DATA_DIR',
    description: 'Directory for the embedded database and the generated local signing key.',
    default: './.data/auth',
    schema: z.string().min(1),
  },
  issuer: { env: 'JWT_ISSUER', description: 'The `iss` claim of access tokens.', default: 'veto-auth', schema: z.string().min(1) },
  audience: { env: 'JWT_AUDIENCE', description: 'The `aud` claim of access tokens.', default: 'veto', schema: z.string().min(1) },
  privateKey: {
    env: 'JWT_PRIVATE_KEY',
    description: 'ES256 (P-256) private signing key, PEM. Required in production unless `JWT_PRIVATE_KEY_FILE` is set.',
    default: undefined,
    schema: optionalText,
  },
  privateKeyFile: {
    env: 'JWT_PRIVATE_KEY_FILE',
    description: 'Path of a PEM file holding the ES256 private signing key.',
    default: undefined,
    schema: optionalText,
  },
  previousPublicKeysFile: {
    env: 'JWT_PREVIOUS_PUBLIC_KEYS_FILE',
    description: 'Path of a file with the PEM public keys of previous signing keys, still published in the JWKS during a key rotation.',
    default: undefined,
    schema: optionalText,
  },
  accessTokenTtlSeconds: {
    env: 'ACCESS_TOKEN_TTL_SECONDS',
    description: 'Lifetime of access tokens.',
    default: '900',
    schema: integer(1, 86_400),
  },
  refreshTokenTtlSeconds: {
    env: 'REFRESH_TOKEN_TTL_SECONDS',
    description: 'Lifetime of a refresh token; every rotation issues a new one with a full lifetime.',
    default: '604800',
    schema: integer(60, 31_536_000),
  },
  argon2MemoryKib: { env: 'ARGON2_MEMORY_KIB', description: 'argon2id memory cost (OWASP: 19456).', default: '19456', schema: integer(8, 4_194_304) },
  argon2TimeCost: { env: 'ARGON2_TIME_COST', description: 'argon2id iterations (OWASP: 2).', default: '2', schema: integer(1, 100) },
  argon2Parallelism: { env: 'ARGON2_PARALLELISM', description: 'argon2id parallelism (OWASP: 1).', default: '1', schema: integer(1, 16) },
  signInLimitPerEmail: {
    env: 'SIGNIN_RATE_LIMIT_PER_EMAIL',
    description: 'Failed sign-ins allowed per email address per window.',
    default: '10',
    schema: integer(1, 1_000_000),
  },
  signInLimitPerIp: {
    env: 'SIGNIN_RATE_LIMIT_PER_IP',
    description: 'Failed sign-ins allowed per client IP per window.',
    default: '30',
    schema: integer(1, 1_000_000),
  },
  signInWindowSeconds: {
    env: 'SIGNIN_RATE_LIMIT_WINDOW_SECONDS',
    description: 'Length of the sign-in rate-limit window.',
    default: '60',
    schema: integer(1, 86_400),
  },
  outboxPollIntervalMs: {
    env: 'OUTBOX_POLL_INTERVAL_MS',
    description: 'Safety poll of the outbox relay, for events written by other instances; events of this instance are published right after their commit.',
    default: '1000',
    schema: integer(10, 60_000),
  },
  outboxRetentionMarginSeconds: {
    env: 'OUTBOX_RETENTION_MARGIN_SECONDS',
    description:
      "Published outbox events are kept `ACCESS_TOKEN_TTL_SECONDS` plus this long, then purged; it must cover the consumers' clock skew (30 s by default). When the `AUTH` stream is lost, auth publishes the events it keeps again.",
    default: '600',
    schema: integer(30, 86_400),
  },
  enforcementBehindAfterSeconds: {
    env: 'ENFORCEMENT_BEHIND_AFTER_SECONDS',
    description: 'A live instance counts in `veto_enforcement_instances_behind` when it has not applied an event published this long ago (by its enforcement receipts).',
    default: '5',
    schema: integer(1, 86_400),
  },
  introspectionClientSecret: {
    env: 'INTROSPECTION_CLIENT_SECRET',
    description:
      'Secret of the client of `POST /api/auth/introspect` (RFC 7662), at least 16 characters, presented with `client_secret_basic`, `client_secret_post` or as a Bearer credential. Unset: the route answers 404 `INTROSPECTION_DISABLED`.',
    default: undefined,
    schema: z.string().min(16).max(512).optional(),
  },
  introspectionClientId: {
    env: 'INTROSPECTION_CLIENT_ID',
    description:
      'Client id the introspection client must present with its secret (printable ASCII, no spaces); a Bearer credential, which has none, is then refused. Unset: any client id is accepted. Needs `INTROSPECTION_CLIENT_SECRET`.',
    default: undefined,
    schema: z
      .string()
      .regex(/^[\x21-\x7e]{1,256}$/, 'must be 1 to 256 printable ASCII characters without spaces')
      .optional(),
  },
  adminEmail: {
    env: 'ADMIN_EMAIL',
    description: 'Email of an admin account created (or promoted) at start-up. Needs `ADMIN_PASSWORD`.',
    default: undefined,
    schema: z.email().optional(),
  },
  adminPassword: {
    env: 'ADMIN_PASSWORD',
    description: 'Password of the `ADMIN_EMAIL` account when it is created (8 to 128 characters).',
    default: undefined,
    schema: z.string().min(8).max(128).optional(),
  },
} as const satisfies Record<string, ConfigKeySpec>;

/** The validated, frozen configuration of the auth service. */
export type Config = ConfigOf<typeof CONFIG_SPEC>;

/**
 * Parses the auth service configuration from environment variables, once, at start-up
 * (`loadConfigFrom` of `@veto/service-kit`), then checks the variables that go together.
 * An empty variable counts as unset.
 *
 * @param env - the variables to read (`process.env` in `main.ts`, a literal in tests)
 * @returns the frozen configuration
 * @throws {ConfigError} `CONFIG_INVALID`, naming the first bad variable in `variable` and in the message
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const config = loadConfigFrom(CONFIG_SPEC, env);
  if (config.adminEmail !== undefined && config.adminPassword === undefined) {
    throw new ConfigError('ADMIN_PASSWORD', 'ADMIN_PASSWORD is required when ADMIN_EMAIL is set');
  }
  if (config.adminPassword !== undefined && config.adminEmail === undefined) {
    throw new ConfigError('ADMIN_EMAIL', 'ADMIN_EMAIL is required when ADMIN_PASSWORD is set');
  }
  if (config.introspectionClientId !== undefined && config.introspectionClientSecret === undefined) {
    throw new ConfigError('INTROSPECTION_CLIENT_SECRET', 'INTROSPECTION_CLIENT_SECRET is required when INTROSPECTION_CLIENT_ID is set');
  }
  checkSharedSettings(config);
  if (config.privateKey !== undefined && config.privateKeyFile !== undefined) {
    throw new ConfigError('JWT_PRIVATE_KEY_FILE', 'Set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both');
  }
  return config;
}
