import { z } from 'zod';
import { integerSetting, optionalTextSetting, type ConfigKeySpec } from './config-spec';
import { ConfigError } from './service-error';

/** `LOG_LEVEL`, the same for every service. */
export const LOG_LEVEL_SETTING = {
  logLevel: {
    env: 'LOG_LEVEL',
    description: 'pino log level.',
    default: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} as const satisfies Record<string, ConfigKeySpec>;

/**
 * The NATS connection of a service: `NATS_URL`, `NATS_USER`, `NATS_PASSWORD`.
 *
 * @param natsUser - the user this service has in `infra/nats/veto.conf`, named in the description
 * @param whenDown - what the service does while NATS does not answer, appended to `NATS_URL`'s description
 * @example
 * export const CONFIG_SPEC = { ...natsSettings('tickets', 'Revocations are served from the cache meanwhile.'), ... };
 */
export function natsSettings(natsUser: string, whenDown: string) {
  return {
    natsUrl: {
      env: 'NATS_URL',
      description: `NATS server(s) with JetStream, comma-separated. ${whenDown}`,
      default: 'nats://127.0.0.1:4222',
      schema: z.string().min(1),
    },
    natsUser: {
      env: 'NATS_USER',
      description: `NATS user name, for a server with permissions such as \`infra/nats/veto.conf\` (user \`${natsUser}\`). Needs \`NATS_PASSWORD\`.`,
      default: undefined,
      schema: optionalTextSetting,
    },
    natsPassword: { env: 'NATS_PASSWORD', description: 'Password of `NATS_USER`.', default: undefined, schema: optionalTextSetting },
  } as const satisfies Record<string, ConfigKeySpec>;
}

/**
 * `DATABASE_URL` and `DATABASE_SCHEMA`, the same in every service with a database.
 *
 * @param defaultSchema - the service's schema when `DATABASE_SCHEMA` is unset (its name)
 * @param isSchemaName - the storage package's check of a schema name (`isSchemaName` of `@veto/storage`)
 * @example
 * export const CONFIG_SPEC = { ...databaseSettings('tickets', isSchemaName), ... };
 */
export function databaseSettings(defaultSchema: string, isSchemaName: (name: string) => boolean) {
  return {
    databaseUrl: {
      env: 'DATABASE_URL',
      description: 'PostgreSQL connection string. When unset, an embedded PGlite database is kept in `DATA_DIR/pg`.',
      default: undefined,
      schema: z.url().optional(),
    },
    databaseSchema: {
      env: 'DATABASE_SCHEMA',
      description: "PostgreSQL schema holding the service's tables and its migrations table.",
      default: defaultSchema,
      schema: z.string().refine(isSchemaName, 'must be a lower-case SQL identifier'),
    },
  } as const satisfies Record<string, ConfigKeySpec>;
}

/** `NATS_CONNECT_TIMEOUT_MS`: how long a service that needs the bus to start keeps trying to reach it. */
export const NATS_CONNECT_SETTINGS = {
  natsConnectTimeoutMs: {
    env: 'NATS_CONNECT_TIMEOUT_MS',
    description:
      'How long start-up keeps trying to connect to NATS (a server not up yet, or too busy to finish the handshake), logging each failed attempt; after that the service exits with one fatal line.',
    default: '60000',
    schema: integerSetting(1000, 3_600_000),
  },
} as const satisfies Record<string, ConfigKeySpec>;

/** The `AUTH` stream's settings: whoever creates or updates the stream must use the same values. */
export const STREAM_SETTINGS = {
  streamMaxAgeSeconds: {
    env: 'STREAM_MAX_AGE_SECONDS',
    description: 'Retention of the `AUTH` event stream (created or updated at start-up); must exceed `ACCESS_TOKEN_TTL_SECONDS`, and be the same in every service.',
    default: '604800',
    schema: integerSetting(120, 31_536_000),
  },
  streamReplicas: { env: 'STREAM_REPLICAS', description: 'Replicas of the event streams (1 for a single server).', default: '1', schema: integerSetting(1, 5) },
} as const satisfies Record<string, ConfigKeySpec>;

/** The serialized origins of a comma-separated list; a value that is not an http(s) origin fails the parse. */
const originList = z
  .string()
  .optional()
  .transform((text, context): readonly string[] => {
    const origins: string[] = [];
    for (const item of (text ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')) {
      let url: URL | undefined;
      try {
        url = new URL(item);
      } catch {
        url = undefined;
      }
      const originOnly = url !== undefined && url.pathname === '/' && !item.includes('?') && !item.includes('#') && url.username === '' && url.password === '';
      if (url === undefined || !originOnly || !['http:', 'https:'].includes(url.protocol)) {
        context.addIssue({ code: 'custom', message: `${JSON.stringify(item)} is not an origin (scheme://host[:port], http or https, no path)` });
        return z.NEVER;
      }
      origins.push(url.origin);
    }
    return Object.freeze(origins);
  });

/**
 * How a service tells a cross-site request from its own (`crossSiteGuard`): `TRUST_PROXY_HOPS`, the
 * proxies whose `X-Forwarded-*` headers name the client and the origin it addressed, and
 * `ALLOWED_ORIGINS`, the other origins whose pages may send it unsafe requests.
 */
export const HTTP_ORIGIN_SETTINGS = {
  trustProxy: {
    env: 'TRUST_PROXY_HOPS',
    description:
      'Number of reverse proxies in front of the service whose `X-Forwarded-For`, `-Proto` and `-Host` are trusted: the client IP (for the sign-in rate limits of auth) and the origin the browser addressed (the cross-site check).',
    default: '0',
    schema: integerSetting(0, 10),
  },
  allowedOrigins: {
    env: 'ALLOWED_ORIGINS',
    description:
      "Comma-separated origins (`https://console.example.com`) besides the service's own whose pages may send it unsafe requests without an `Authorization: Bearer` header; any other `Origin` is refused with 403 `CROSS_SITE_REQUEST`. Every service behind the same gateway should have the same list.",
    default: undefined,
    schema: originList,
  },
} as const satisfies Record<string, ConfigKeySpec>;

/**
 * The checks across the shared settings: NATS user and password go together, and the stream keeps
 * events longer than a token lives (a new instance replays that long).
 *
 * @param config - a parsed configuration holding the NATS and stream settings and the token lifetime
 * @throws {ConfigError} naming the variable to fix
 * @example
 * checkSharedSettings(loadConfigFrom(CONFIG_SPEC, env));
 */
export function checkSharedSettings(config: {
  readonly natsUser: string | undefined;
  readonly natsPassword: string | undefined;
  readonly streamMaxAgeSeconds: number;
  readonly accessTokenTtlSeconds: number;
}): void {
  if (config.natsUser !== undefined && config.natsPassword === undefined) {
    throw new ConfigError('NATS_PASSWORD', 'NATS_PASSWORD is required when NATS_USER is set');
  }
  if (config.natsPassword !== undefined && config.natsUser === undefined) {
    throw new ConfigError('NATS_USER', 'NATS_USER is required when NATS_PASSWORD is set');
  }
  if (config.streamMaxAgeSeconds <= config.accessTokenTtlSeconds) {
    throw new ConfigError('STREAM_MAX_AGE_SECONDS', 'STREAM_MAX_AGE_SECONDS must exceed ACCESS_TOKEN_TTL_SECONDS (new instances replay that long)');
  }
}
