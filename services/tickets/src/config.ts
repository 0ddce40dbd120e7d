import { hostname } from 'node:os';
import { enforcementReceiptSchema } from '@veto/events';
import {
  checkSharedSettings,
  HTTP_ORIGIN_SETTINGS,
  integerSetting as integer,
  loadConfigFrom,
  databaseSettings,
  LOG_LEVEL_SETTING,
  NATS_CONNECT_SETTINGS,
  natsSettings,
  optionalTextSetting as optionalText,
  STREAM_SETTINGS,
  type ConfigKeySpec,
  type ConfigOf,
} from '@veto/service-kit';
import { isSchemaName } from '@veto/storage';
import { z } from 'zod';

/**
 * Every configuration key of the tickets service, as data: the README's configuration table
 * is generated from it, and `loadConfig` parses exactly these variables.
 *
 * @example
 * for (const spec of Object.values(CONFIG_SPEC)) console.log(`| ${spec.env} | ${spec.default ?? ''} | ${spec.description} |`);
 */
export const CONFIG_SPEC = {
  ...LOG_LEVEL_SETTING,
  ...natsSettings('tickets', 'Tokens are verified against the cache meanwhile (see `REVOCATION_FAIL_CLOSED_AFTER_MS`).'),
  ...NATS_CONNECT_SETTINGS,
  ...STREAM_SETTINGS,
  env: {
    env: 'VETO_ENV',
    description: '`production` or `local`; written on every log line.',
    default: 'production',
    schema: z.enum(['production', 'local']),
  },
  host: { env: 'HOST', description: 'Interface the HTTP server binds to.', default: '0.0.0.0', schema: z.string().min(1) },
  port: { env: 'PORT', description: 'HTTP port.', default: '3002', schema: integer(0, 65535) },
  ...HTTP_ORIGIN_SETTINGS,
  ...databaseSettings('tickets', isSchemaName),
  dataDir: { env: 'DATA_DIR', description: 'Directory for the embedded database.', default: './.data/tickets', schema: z.string().min(1) },
  manageStreams: {
    env: 'MANAGE_STREAMS',
    description:
      '`true`: create or update the event streams at start-up. `false` (a consume-only NATS user): wait up to 60 s for the `AUTH` stream, which the auth service creates, and never change it.',
    default: 'true',
    schema: z.enum(['true', 'false']).transform((value) => value === 'true'),
  },
  jwksUrl: {
    env: 'JWKS_URL',
    description: "The auth service's JWKS, fetched at start-up (with retries) and again when a token names an unknown key. Ignored when `JWT_PUBLIC_KEYS_FILE` is set.",
    default: 'http://127.0.0.1:3001/.well-known/jwks.json',
    schema: z.url(),
  },
  jwksCacheFile: {
    env: 'JWKS_CACHE_FILE',
    description:
      'Where the last JWKS fetched from `JWKS_URL` is kept (public keys only, replaced atomically after every successful fetch); when the auth service is down at start-up, the service starts with these keys. Unset: `DATA_DIR/jwks.json`; `off`: no file.',
    default: undefined,
    schema: optionalText,
  },
  publicKeysFile: {
    env: 'JWT_PUBLIC_KEYS_FILE',
    description: 'Path of a JWKS JSON file with the verification keys; when set, no JWKS is fetched.',
    default: undefined,
    schema: optionalText,
  },
  issuer: { env: 'JWT_ISSUER', description: "Expected `iss` claim; must equal the auth service's.", default: 'veto-auth', schema: z.string().min(1) },
  audience: { env: 'JWT_AUDIENCE', description: "Expected `aud` claim; must equal the auth service's.", default: 'veto', schema: z.string().min(1) },
  accessTokenTtlSeconds: {
    env: 'ACCESS_TOKEN_TTL_SECONDS',
    description: "The auth service's access-token lifetime: revocations are replayed and kept this long (plus the skew).",
    default: '900',
    schema: integer(1, 86_400),
  },
  clockSkewSeconds: { env: 'CLOCK_SKEW_SECONDS', description: 'Tolerated clock difference for `exp`, `nbf` and `iat`.', default: '30', schema: integer(0, 300) },
  revocationFailClosedAfterMs: {
    env: 'REVOCATION_FAIL_CLOSED_AFTER_MS',
    description:
      'When set, refuse valid tokens (503 `REVOCATION_UNAVAILABLE`) once the revocation feed has not been current this long (NATS unreachable, its consumer not recreated, the `AUTH` stream missing or reset, or lagging); unset keeps serving from the cache.',
    default: undefined,
    schema: integer(0, 86_400_000).optional(),
  },
  moderationMaxDeliver: {
    env: 'MODERATION_MAX_DELIVER',
    description: 'Deliveries of a moderation event before it goes to the dead-letter stream `veto.dlq.tickets`.',
    default: '5',
    schema: integer(1, 100),
  },
  instanceId: {
    env: 'INSTANCE_ID',
    description:
      'This instance in its enforcement receipts on `veto.receipts.tickets`: unique in the fleet, printable ASCII without spaces, at most 128 characters. Unset: `<hostname>-<pid>`; Kubernetes passes the pod name.',
    default: undefined,
    schema: z
      .string()
      .optional()
      .transform((value) => value ?? `${hostname()}-${String(process.pid)}`)
      .pipe(enforcementReceiptSchema.shape.instanceId),
  },
  receiptIntervalMs: {
    env: 'RECEIPT_INTERVAL_MS',
    description:
      'Heartbeat interval of the enforcement receipts, in ms (a receipt also follows every batch of applied revocations at once); the auth service forgets an instance after 3 intervals without one.',
    default: '5000',
    schema: integer(100, 3_600_000),
  },
} as const satisfies Record<string, ConfigKeySpec>;

/** The validated, frozen configuration of the tickets service. */
export type Config = ConfigOf<typeof CONFIG_SPEC>;

/**
 * Parses the tickets service configuration from environment variables, once, at start-up.
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
  checkSharedSettings(config);
  return config;
}
