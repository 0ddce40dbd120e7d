import { CONFIG_SPEC, loadConfig } from './config';
import { ConfigError } from './errors';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'production',
      port: 3001,
      databaseSchema: 'auth',
      dataDir: './.data/auth',
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 604_800,
      argon2MemoryKib: 19_456,
      argon2TimeCost: 2,
      argon2Parallelism: 1,
      signInLimitPerEmail: 10,
      signInLimitPerIp: 30,
      signInWindowSeconds: 60,
      natsUrl: 'nats://127.0.0.1:4222',
      streamMaxAgeSeconds: 604_800,
      streamReplicas: 1,
      outboxPollIntervalMs: 1000,
    });
    expect(config.introspectionClientSecret).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
    expect(config.privateKey).toBeUndefined();
  });

  it('returns a frozen object', () => {
    const config = loadConfig({ PORT: '8080' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config.port).toBe(8080);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3001, databaseUrl: undefined });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['VETO_ENV', 'staging'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_SCHEMA', 'Auth; DROP'],
    ['ADMIN_EMAIL', 'not-an-email'],
    ['ARGON2_MEMORY_KIB', '1.5'],
    ['LOG_LEVEL', 'loud'],
    ['STREAM_REPLICAS', '7'],
    ['INTROSPECTION_CLIENT_SECRET', 'short'],
    ['INTROSPECTION_CLIENT_ID', 'resource server'],
    ['OUTBOX_POLL_INTERVAL_MS', '0'],
  ])('rejects a bad %s naming the variable', (variable, value) => {
    const env = variable === 'ADMIN_EMAIL' ? { [variable]: value, ADMIN_PASSWORD: 'long enough password' } : { [variable]: value };
    const error = configError(env);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('requires ADMIN_PASSWORD with ADMIN_EMAIL, and the reverse', () => {
    expect(configError({ ADMIN_EMAIL: 'root@example.com' }).variable).toBe('ADMIN_PASSWORD');
    expect(configError({ ADMIN_PASSWORD: 'long enough password' }).variable).toBe('ADMIN_EMAIL');
  });

  it('requires INTROSPECTION_CLIENT_SECRET with INTROSPECTION_CLIENT_ID', () => {
    expect(configError({ INTROSPECTION_CLIENT_ID: 'resource-server' }).variable).toBe('INTROSPECTION_CLIENT_SECRET');
  });

  it('requires NATS_PASSWORD with NATS_USER, and the reverse', () => {
    expect(configError({ NATS_USER: 'auth' }).variable).toBe('NATS_PASSWORD');
    expect(configError({ NATS_PASSWORD: 'secret' }).variable).toBe('NATS_USER');
    expect(loadConfig({ NATS_USER: 'auth', NATS_PASSWORD: 'secret' })).toMatchObject({ natsUser: 'auth', natsPassword: 'secret' });
  });

  it('refuses a stream retention that does not exceed the access-token lifetime', () => {
    expect(configError({ STREAM_MAX_AGE_SECONDS: '900' }).variable).toBe('STREAM_MAX_AGE_SECONDS');
  });

  it('refuses both JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE', () => {
    expect(configError({ JWT_PRIVATE_KEY: 'pem', JWT_PRIVATE_KEY_FILE: '/key.pem' }).variable).toBe('JWT_PRIVATE_KEY_FILE');
  });

  it('describes every key with a distinct variable name and a description', () => {
    const specs = Object.values(CONFIG_SPEC);
    expect(new Set(specs.map((spec) => spec.env)).size).toBe(specs.length);
    for (const spec of specs) {
      expect(spec.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(spec.description.length).toBeGreaterThan(0);
    }
  });

  it('parses every documented default', () => {
    for (const spec of Object.values(CONFIG_SPEC)) {
      expect(spec.schema.safeParse(spec.default).success).toBe(true);
    }
  });
});
