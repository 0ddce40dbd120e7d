import { loadConfigFrom, integerSetting } from './config-spec';
import { ConfigError } from './service-error';
import { checkSharedSettings, HTTP_ORIGIN_SETTINGS, LOG_LEVEL_SETTING, natsSettings, STREAM_SETTINGS } from './shared-settings';

const SPEC = {
  ...LOG_LEVEL_SETTING,
  ...natsSettings('tickets', 'Served from the cache meanwhile.'),
  ...STREAM_SETTINGS,
  accessTokenTtlSeconds: { env: 'ACCESS_TOKEN_TTL_SECONDS', description: 'TTL.', default: '900', schema: integerSetting(1, 86_400) },
};

function failure(env: Record<string, string>): unknown {
  try {
    checkSharedSettings(loadConfigFrom(SPEC, env));
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('shared settings', () => {
  it('default to a local NATS without credentials, a week of retention and one replica', () => {
    expect(loadConfigFrom(SPEC, {})).toEqual({
      logLevel: 'info',
      natsUrl: 'nats://127.0.0.1:4222',
      natsUser: undefined,
      natsPassword: undefined,
      streamMaxAgeSeconds: 604_800,
      streamReplicas: 1,
      accessTokenTtlSeconds: 900,
    });
    expect(failure({})).toBeUndefined();
  });

  it('name the service user in the NATS_USER description', () => {
    expect(natsSettings('auth', '').natsUser.description).toContain('(user `auth`)');
  });

  it.each([
    ['NATS_PASSWORD', { NATS_USER: 'tickets' }],
    ['NATS_USER', { NATS_PASSWORD: 'secret' }],
    ['STREAM_MAX_AGE_SECONDS', { STREAM_MAX_AGE_SECONDS: '900' }],
    ['STREAM_MAX_AGE_SECONDS', { STREAM_MAX_AGE_SECONDS: '1000', ACCESS_TOKEN_TTL_SECONDS: '1000' }],
  ])('refuse a combination that cannot work, naming %s', (variable, env) => {
    const error = failure(env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', variable });
  });

  it('accept credentials given together and a retention above the token lifetime', () => {
    expect(failure({ NATS_USER: 'tickets', NATS_PASSWORD: 'secret', STREAM_MAX_AGE_SECONDS: '901' })).toBeUndefined();
  });
});

describe('HTTP_ORIGIN_SETTINGS', () => {
  it('default to no trusted proxy and no other origin', () => {
    expect(loadConfigFrom(HTTP_ORIGIN_SETTINGS, {})).toEqual({ trustProxy: 0, allowedOrigins: [] });
  });

  it('parse ALLOWED_ORIGINS into serialized origins', () => {
    const config = loadConfigFrom(HTTP_ORIGIN_SETTINGS, { ALLOWED_ORIGINS: ' https://Console.Example.com/ ,http://localhost:5173,https://a.example:443' });
    expect(config.allowedOrigins).toEqual(['https://console.example.com', 'http://localhost:5173', 'https://a.example']);
  });

  it.each(['https://console.example.com/admin', 'ftp://files.example', 'console.example.com', 'null', 'https://u:p@console.example.com', 'https://a.example?x=1'])(
    'stop start-up on ALLOWED_ORIGINS=%s, naming the variable',
    (value) => {
      let thrown: unknown;
      try {
        loadConfigFrom(HTTP_ORIGIN_SETTINGS, { ALLOWED_ORIGINS: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', variable: 'ALLOWED_ORIGINS' });
    },
  );
});
