import { CONFIG_SPEC, LOCAL_ISSUER, loadConfig } from './config';

const ISSUER = 'https://signals.example.com';

/** What loadConfig must throw for a bad `variable`: CONFIG_INVALID, naming it in `variable` and in the message. */
const namingVariable = (variable: string) => expect.objectContaining({ name: 'ConfigError', code: 'CONFIG_INVALID', variable, message: expect.stringContaining(variable) });

describe('loadConfig', () => {
  // Each group of settings checks its own defaults, so adding a group changes no other test.
  it('applies the documented defaults, with the issuer it was given', () => {
    expect(loadConfig({ SIGNALS_ISSUER: ISSUER })).toMatchObject({
      logLevel: 'info',
      env: 'production',
      host: '0.0.0.0',
      port: 3003,
      issuer: ISSUER,
      subjectIssuer: 'veto-auth',
      dataDir: './.data/signals',
      privateKeyFile: undefined,
    });
  });

  it('applies the documented database and NATS defaults', () => {
    expect(loadConfig({ SIGNALS_ISSUER: ISSUER })).toMatchObject({
      databaseUrl: undefined,
      databaseSchema: 'signals',
      natsUrl: 'nats://127.0.0.1:4222',
      natsUser: undefined,
      natsPassword: undefined,
      natsConnectTimeoutMs: 60_000,
    });
  });

  it('applies the documented delivery defaults', () => {
    expect(loadConfig({ SIGNALS_ISSUER: ISSUER })).toMatchObject({
      pausedMaxEvents: 1000,
      pushMaxAttempts: 10,
      pushBackoffBaseMs: 1000,
      pushBackoffMaxMs: 300_000,
      pushTimeoutMs: 10_000,
      pushConcurrency: 8,
      pushScanIntervalMs: 5000,
      pollMaxWaitMs: 30_000,
      pollMaxEvents: 100,
    });
  });

  it('applies the documented stream management and admin token defaults', () => {
    expect(loadConfig({ SIGNALS_ISSUER: ISSUER })).toMatchObject({
      minVerificationIntervalSeconds: 30,
      jwksUrl: 'http://127.0.0.1:3001/.well-known/jwks.json',
      audience: 'veto',
      accessTokenTtlSeconds: 900,
      clockSkewSeconds: 30,
    });
  });

  it.each([
    ['SIGNALS_MIN_VERIFICATION_INTERVAL_SECONDS', '-1'],
    ['SIGNALS_MIN_VERIFICATION_INTERVAL_SECONDS', '86401'],
    ['JWKS_URL', 'not a url'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['CLOCK_SKEW_SECONDS', '301'],
  ])('refuses the stream management setting %s=%j with CONFIG_INVALID naming it', (variable, value) => {
    expect(() => loadConfig({ SIGNALS_ISSUER: ISSUER, [variable]: value })).toThrow(namingVariable(variable));
  });

  it('returns a frozen object and reads the variables by their names', () => {
    const config = loadConfig({ SIGNALS_ISSUER: `${ISSUER}/tenant1`, PORT: '8080', JWT_ISSUER: 'https://auth.example.com', SIGNALS_PRIVATE_KEY_FILE: '/run/secrets/signals.pem' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(config).toMatchObject({ issuer: `${ISSUER}/tenant1`, port: 8080, subjectIssuer: 'https://auth.example.com', privateKeyFile: '/run/secrets/signals.pem' });
  });

  it('uses the local issuer in local mode when none is set, and accepts http there', () => {
    expect(loadConfig({ VETO_ENV: 'local' }).issuer).toBe(LOCAL_ISSUER);
    expect(loadConfig({ VETO_ENV: 'local', SIGNALS_ISSUER: 'http://127.0.0.1:4003' }).issuer).toBe('http://127.0.0.1:4003');
  });

  it.each([
    [{}, 'unset outside local mode'],
    [{ SIGNALS_ISSUER: 'http://signals.example.com' }, 'http outside local mode'],
    [{ SIGNALS_ISSUER: 'signals.example.com' }, 'not a URL'],
    [{ SIGNALS_ISSUER: 'ftp://signals.example.com', VETO_ENV: 'local' }, 'neither http nor https'],
    [{ SIGNALS_ISSUER: `${ISSUER}/?tenant=1` }, 'with a query'],
    [{ SIGNALS_ISSUER: `${ISSUER}/?` }, 'with an empty query'],
    [{ SIGNALS_ISSUER: `${ISSUER}/#top` }, 'with a fragment'],
    [{ SIGNALS_ISSUER: 'https://user:secret@signals.example.com' }, 'with credentials'],
  ])('refuses SIGNALS_ISSUER %j (%s), naming it', (env: Record<string, string>, _case: string) => {
    expect(() => loadConfig(env)).toThrow(namingVariable('SIGNALS_ISSUER'));
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '70000'],
    ['LOG_LEVEL', 'verbose'],
    ['VETO_ENV', 'staging'],
  ])('refuses %s=%j with CONFIG_INVALID naming the variable', (variable, value) => {
    expect(() => loadConfig({ SIGNALS_ISSUER: ISSUER, [variable]: value })).toThrow(namingVariable(variable));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SIGNALS_ISSUER: ISSUER, PORT: '', SIGNALS_PRIVATE_KEY_FILE: '' })).toMatchObject({ port: 3003, privateKeyFile: undefined });
  });

  it('names every variable it reads exactly once', () => {
    const names = Object.values(CONFIG_SPEC).map((spec) => spec.env);
    expect(new Set(names).size).toBe(names.length);
  });
});
