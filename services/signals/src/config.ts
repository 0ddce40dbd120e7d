import {
  ConfigError,
  integerSetting as integer,
  loadConfigFrom,
  databaseSettings,
  LOG_LEVEL_SETTING,
  NATS_CONNECT_SETTINGS,
  natsSettings,
  optionalTextSetting as optionalText,
  type ConfigKeySpec,
  type ConfigOf,
} from '@veto/service-kit';
import { isSchemaName } from '@veto/storage';
import { z } from 'zod';

/** The issuer a local run uses when `SIGNALS_ISSUER` is unset (the default `PORT`). */
export const LOCAL_ISSUER = 'http://localhost:3003';

/**
 * Every configuration key of the signals service, as data: the README's configuration table is
 * generated from it, and `loadConfig` parses exactly these variables.
 *
 * @example
 * for (const spec of Object.values(CONFIG_SPEC)) console.log(`| ${spec.env} | ${spec.default ?? ''} | ${spec.description} |`);
 */
export const CONFIG_SPEC = {
  ...LOG_LEVEL_SETTING,
  ...natsSettings('signals', 'SETs already written keep being delivered meanwhile; new Veto events wait in the `AUTH` stream.'),
  ...NATS_CONNECT_SETTINGS,
  env: {
    env: 'VETO_ENV',
    description: '`production` or `local`; written on every log line. `local` allows an `http` issuer and a generated signing key.',
    default: 'production',
    schema: z.enum(['production', 'local']),
  },
  host: { env: 'HOST', description: 'Interface the HTTP server binds to.', default: '0.0.0.0', schema: z.string().min(1) },
  port: { env: 'PORT', description: 'HTTP port.', default: '3003', schema: integer(0, 65535) },
  issuer: {
    env: 'SIGNALS_ISSUER',
    description: `The transmitter's public base URL: the \`iss\` of every Security Event Token and the base of the URLs in its metadata. \`https\`, no query or fragment (SSF 1.0 §7.1); required outside local mode, where it defaults to \`${LOCAL_ISSUER}\` and may be \`http\`.`,
    default: undefined,
    schema: optionalText,
  },
  subjectIssuer: {
    env: 'JWT_ISSUER',
    description:
      "The auth service's access-token issuer (its `JWT_ISSUER`): the `iss` of `iss_sub` subjects, so a receiver matches them with the `iss` and `sub` of the Veto tokens it knows.",
    default: 'veto-auth',
    schema: z.string().min(1),
  },
  ...databaseSettings('signals', isSchemaName),
  dataDir: { env: 'DATA_DIR', description: 'Directory for the embedded database and the generated local signing key.', default: './.data/signals', schema: z.string().min(1) },
  // -- receivers and stream management settings (receiver credentials, admin tokens, streams)
  minVerificationIntervalSeconds: {
    env: 'SIGNALS_MIN_VERIFICATION_INTERVAL_SECONDS',
    description:
      "The `min_verification_interval` of new streams (SSF 1.0 §8.1.1): a receiver's verification request sooner than this after its last one is refused (429 `VERIFICATION_TOO_FREQUENT`). Stored per stream at creation.",
    default: '30',
    schema: integer(0, 86_400),
  },
  jwksUrl: {
    env: 'JWKS_URL',
    description: "The auth service's JWKS, fetched at start-up and again when a token names an unknown key: verifies the admins' access tokens on `/api/admin/*`.",
    default: 'http://127.0.0.1:3001/.well-known/jwks.json',
    schema: z.url(),
  },
  audience: { env: 'JWT_AUDIENCE', description: "Expected `aud` claim of admin access tokens; must equal the auth service's.", default: 'veto', schema: z.string().min(1) },
  accessTokenTtlSeconds: {
    env: 'ACCESS_TOKEN_TTL_SECONDS',
    description: "The auth service's access-token lifetime: revocations are replayed and kept this long (plus the skew).",
    default: '900',
    schema: integer(1, 86_400),
  },
  clockSkewSeconds: {
    env: 'CLOCK_SKEW_SECONDS',
    description: 'Tolerated clock difference for `exp`, `nbf` and `iat` of admin access tokens.',
    default: '30',
    schema: integer(0, 300),
  },
  // -- end of receivers and stream management settings

  privateKeyFile: {
    env: 'SIGNALS_PRIVATE_KEY_FILE',
    description:
      'PEM file of the RSA private key (at least 2048 bits) that signs Security Event Tokens (RS256). Required outside local mode; in local mode, unset: a key generated once into `DATA_DIR/signing-key.pem` (mode 0600).',
    default: undefined,
    schema: optionalText,
  },
  // -- delivery settings (the AUTH consumer, push, poll, paused streams)
  pausedMaxEvents: {
    env: 'SIGNALS_PAUSED_MAX_EVENTS',
    description:
      'The most SETs a paused stream holds; past it the oldest pending SET is set aside (state `dead`, `last_error` `PAUSED_OVERFLOW`), so a stream paused for long keeps the newest events.',
    default: '1000',
    schema: integer(1, 1_000_000),
  },
  pushMaxAttempts: {
    env: 'SIGNALS_PUSH_MAX_ATTEMPTS',
    description: 'Push attempts of one SET before it is given up (state `dead`, its `last_error` kept); the stream then moves on to its next SET.',
    default: '10',
    schema: integer(1, 1000),
  },
  pushBackoffBaseMs: {
    env: 'SIGNALS_PUSH_BACKOFF_BASE_MS',
    description: 'Wait after the first failed push of a SET; it doubles with each further failure, up to `SIGNALS_PUSH_BACKOFF_MAX_MS`, with up to half of it random (jitter).',
    default: '1000',
    schema: integer(1, 86_400_000),
  },
  pushBackoffMaxMs: {
    env: 'SIGNALS_PUSH_BACKOFF_MAX_MS',
    description: 'The longest wait between two push attempts of a SET.',
    default: '300000',
    schema: integer(1, 86_400_000),
  },
  pushTimeoutMs: {
    env: 'SIGNALS_PUSH_TIMEOUT_MS',
    description: "How long one push request may take (connection, the receiver's answer and its body); then it counts as a failed attempt.",
    default: '10000',
    schema: integer(1, 600_000),
  },
  pushConcurrency: {
    env: 'SIGNALS_PUSH_CONCURRENCY',
    description: 'How many push streams are delivered to at once; each has at most one request in flight, so its SETs arrive in order.',
    default: '8',
    schema: integer(1, 1000),
  },
  pushScanIntervalMs: {
    env: 'SIGNALS_PUSH_SCAN_INTERVAL_MS',
    description: 'How often the push worker reads the database for due SETs even when nothing woke it (a new stream, a re-driven SET).',
    default: '5000',
    schema: integer(10, 3_600_000),
  },
  pollMaxWaitMs: {
    env: 'SIGNALS_POLL_MAX_WAIT_MS',
    description: 'How long a poll request with `returnImmediately` false waits for a SET when none is pending, before answering an empty `sets`.',
    default: '30000',
    schema: integer(0, 600_000),
  },
  pollMaxEvents: {
    env: 'SIGNALS_POLL_MAX_EVENTS',
    description: 'The most SETs one poll response carries: the default and the upper bound of `maxEvents`.',
    default: '100',
    schema: integer(1, 10_000),
  },
  // -- end of delivery settings
} as const satisfies Record<string, ConfigKeySpec>;

/** The validated, frozen configuration of the signals service. */
export type Config = ConfigOf<typeof CONFIG_SPEC> & { readonly issuer: string };

/**
 * The issuer as SSF 1.0 §7.1 wants it (an https URL with no query or fragment), `http` only in
 * local mode; unset: {@link LOCAL_ISSUER} in local mode, an error otherwise.
 */
function checkIssuer(issuer: string | undefined, env: 'production' | 'local'): string {
  if (issuer === undefined) {
    if (env === 'local') return LOCAL_ISSUER;
    throw new ConfigError('SIGNALS_ISSUER', 'SIGNALS_ISSUER is required outside local mode (VETO_ENV=local): the public https URL of this transmitter');
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (error) {
    throw new ConfigError('SIGNALS_ISSUER', `SIGNALS_ISSUER is invalid: ${JSON.stringify(issuer)} is not a URL`, { cause: error });
  }
  const schemes = env === 'local' ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new ConfigError('SIGNALS_ISSUER', `SIGNALS_ISSUER is invalid: it must use ${env === 'local' ? 'http or https' : 'https (http only with VETO_ENV=local)'}`);
  }
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#') || url.username !== '' || url.password !== '') {
    throw new ConfigError('SIGNALS_ISSUER', 'SIGNALS_ISSUER is invalid: no query, fragment or credentials allowed');
  }
  return issuer;
}

/**
 * Parses the signals service configuration from environment variables, once, at start-up. An
 * empty variable counts as unset.
 *
 * @param env - the variables to read (`process.env` in `main.ts`, a literal in tests)
 * @returns the frozen configuration
 * @throws {ConfigError} `CONFIG_INVALID`, naming the first bad variable in `variable` and in the message
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const config = loadConfigFrom(CONFIG_SPEC, env);
  return Object.freeze({ ...config, issuer: checkIssuer(config.issuer, config.env) });
}
