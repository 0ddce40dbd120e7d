import { z } from 'zod';
import { loadConfigFrom, integerSetting, optionalTextSetting, type ConfigKeySpec } from './config-spec';
import { ConfigError } from './service-error';

const SPEC = {
  port: { env: 'PORT', description: 'HTTP port.', default: '3002', schema: integerSetting(0, 65535) },
  mode: { env: 'MODE', description: 'Mode.', default: 'production', schema: z.enum(['production', 'local']) },
  keyFile: { env: 'KEY_FILE', description: 'A file.', default: undefined, schema: optionalTextSetting },
} as const satisfies Record<string, ConfigKeySpec>;

describe('loadConfigFrom', () => {
  it('applies defaults and coerces typed values', () => {
    expect(loadConfigFrom(SPEC, { PORT: '8080' })).toEqual({ port: 8080, mode: 'production', keyFile: undefined });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfigFrom(SPEC, { PORT: '', KEY_FILE: '' })).toEqual({ port: 3002, mode: 'production', keyFile: undefined });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfigFrom(SPEC, {}))).toBe(true);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['MODE', { MODE: 'staging' }],
  ])('stops with CONFIG_INVALID naming %s', (variable, env) => {
    let thrown: unknown;
    try {
      loadConfigFrom(SPEC, env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ code: 'CONFIG_INVALID', variable });
    expect((thrown as Error).message).toMatch(new RegExp(`^${variable} is invalid: `));
  });
});
