import { loadConfigFrom, integerSetting } from './config-spec';
import { ConfigError } from './service-error';
import { checkSharedSettings, LOG_LEVEL_SETTING, natsSettings, STREAM_SETTINGS } from './shared-settings';

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
