import { ConfigError } from './errors';
import { loadStackConfig } from './stack-config';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadStackConfig(env, '/repo');
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadStackConfig accepted the environment');
}

describe('loadStackConfig', () => {
  it('applies the documented defaults, the data directory under the repository root', () => {
    expect(loadStackConfig({}, '/repo')).toEqual({
      gatewayPort: 3000,
      authPort: 3001,
      ticketsPort: 3002,
      signalsPort: 3003,
      dataDir: '/repo/.data',
      natsUrl: undefined,
      adminEmail: 'admin@example.com',
      logLevel: 'info',
    });
  });

  it('reads the variables, keeps an absolute data directory and freezes the result', () => {
    const config = loadStackConfig({ GATEWAY_PORT: '8080', VETO_DATA_DIR: '/var/veto', NATS_URL: 'nats://10.0.0.5:4222', ADMIN_EMAIL: 'ops@example.org' }, '/repo');

    expect(config).toMatchObject({ gatewayPort: 8080, dataDir: '/var/veto', natsUrl: 'nats://10.0.0.5:4222', adminEmail: 'ops@example.org' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    ['GATEWAY_PORT', 'http'],
    ['AUTH_PORT', '0'],
    ['TICKETS_PORT', '70000'],
    ['SIGNALS_PORT', '-1'],
    ['ADMIN_EMAIL', 'admin'],
    ['LOG_LEVEL', 'loud'],
  ])('refuses %s=%j with CONFIG_INVALID naming the variable', (variable, value) => {
    expect(configError({ [variable]: value })).toMatchObject({ code: 'CONFIG_INVALID', variable });
  });

  it.each<Record<string, string>>([{ GATEWAY_PORT: '3001' }, { SIGNALS_PORT: '3002' }, { GATEWAY_PORT: '3003' }])('refuses two parts on one port: %j', (env) => {
    expect(configError(env)).toMatchObject({ code: 'CONFIG_INVALID', variable: 'GATEWAY_PORT' });
  });
});
