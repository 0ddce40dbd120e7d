import { hostname } from 'node:os';
import { CONFIG_SPEC, loadConfig } from './config';
import { ConfigError } from './errors';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadConfig({})).toEqual({
      env: 'production',
      host: '0.0.0.0',
      port: 3002,
      trustProxy: 0,
      allowedOrigins: [],
      logLevel: 'info',
      databaseUrl: undefined,
      databaseSchema: 'tickets',
      dataDir: './.data/tickets',
      natsUrl: 'nats://127.0.0.1:4222',
      natsUser: undefined,
      natsPassword: undefined,
      natsConnectTimeoutMs: 60_000,
      manageStreams: true,
      jwksUrl: 'http://127.0.0.1:3001/.well-known/jwks.json',
      jwksCacheFile: undefined,
      publicKeysFile: undefined,
      issuer: 'veto-auth',
      audience: 'veto',
      accessTokenTtlSeconds: 900,
      clockSkewSeconds: 30,
      revocationFailClosedAfterMs: undefined,
      streamMaxAgeSeconds: 604_800,
      streamReplicas: 1,
      moderationMaxDeliver: 5,
      instanceId: `${hostname()}-${String(process.pid)}`,
      receiptIntervalMs: 5000,
    });
  });

  it('returns a frozen object and reads the variables by their names', () => {
    const config = loadConfig({ PORT: '8080', REVOCATION_FAIL_CLOSED_AFTER_MS: '60000', DATABASE_SCHEMA: 'tickets_eu', VETO_ENV: 'local' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({ port: 8080, revocationFailClosedAfterMs: 60_000, databaseSchema: 'tickets_eu', env: 'local' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', JWT_PUBLIC_KEYS_FILE: '' })).toMatchObject({ port: 3002, publicKeysFile: undefined });
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_SCHEMA', 'Tickets; DROP'],
    ['JWKS_URL', 'auth-service'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['CLOCK_SKEW_SECONDS', '-1'],
    ['REVOCATION_FAIL_CLOSED_AFTER_MS', 'soon'],
    ['STREAM_MAX_AGE_SECONDS', '1.5'],
    ['LOG_LEVEL', 'verbose'],
    ['VETO_ENV', 'staging'],
    ['MANAGE_STREAMS', 'no'],
    ['NATS_CONNECT_TIMEOUT_MS', 'soon'],
    ['NATS_CONNECT_TIMEOUT_MS', '999'],
    ['INSTANCE_ID', 'tickets 1'],
    ['INSTANCE_ID', 'x'.repeat(129)],
    ['INSTANCE_ID', 'tickets-é'],
    ['RECEIPT_INTERVAL_MS', '99'],
    ['RECEIPT_INTERVAL_MS', '3600001'],
    ['RECEIPT_INTERVAL_MS', '1.5'],
  ])('refuses %s=%j with CONFIG_INVALID naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', variable, name: 'ConfigError' });
    expect(error.message).toContain(variable);
  });

  it('reads the NATS credentials and whether to manage the streams', () => {
    expect(loadConfig({ NATS_USER: 'tickets', NATS_PASSWORD: 's3cret', MANAGE_STREAMS: 'false' })).toMatchObject({
      natsUser: 'tickets',
      natsPassword: 's3cret',
      manageStreams: false,
    });
  });

  it('reads the instance id and the receipt interval', () => {
    expect(loadConfig({ INSTANCE_ID: 'tickets-7d9f-abcde', RECEIPT_INTERVAL_MS: '100' })).toMatchObject({ instanceId: 'tickets-7d9f-abcde', receiptIntervalMs: 100 });
    expect(loadConfig({ INSTANCE_ID: '~'.repeat(128), RECEIPT_INTERVAL_MS: '3600000' })).toMatchObject({ instanceId: '~'.repeat(128), receiptIntervalMs: 3_600_000 });
  });

  it('refuses NATS_USER without NATS_PASSWORD, naming NATS_PASSWORD', () => {
    expect(configError({ NATS_USER: 'tickets' })).toMatchObject({ code: 'CONFIG_INVALID', variable: 'NATS_PASSWORD' });
  });

  it('names every variable it reads exactly once', () => {
    const names = Object.values(CONFIG_SPEC).map((spec) => spec.env);
    expect(new Set(names).size).toBe(names.length);
  });
});
