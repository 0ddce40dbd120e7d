import { z } from 'zod';
import { ConfigError } from './service-error';

/** How one configuration key is read: its variable, meaning, default and parser. */
export interface ConfigKeySpec {
  readonly env: string;
  readonly description: string;
  /** The default as it would be written in the environment; `undefined` = unset. */
  readonly default: string | undefined;
  readonly schema: z.ZodType;
}

/** The validated configuration a spec describes: one typed value per key. */
export type ConfigOf<Spec extends Record<string, ConfigKeySpec>> = Readonly<{ [K in keyof Spec]: z.output<Spec[K]['schema']> }>;

/**
 * An integer setting within bounds, coerced from its environment string.
 *
 * @example
 * port: { env: 'PORT', description: 'HTTP port.', default: '3002', schema: integerSetting(0, 65535) }
 */
export const integerSetting = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** An optional non-empty text setting (an empty variable counts as unset). */
export const optionalTextSetting = z.string().min(1).optional();

/**
 * Parses a service's configuration from environment variables, once, at start-up. An empty
 * variable counts as unset, so `FOO=` falls back to the default.
 *
 * @param spec - every key of the service, as data (the README tables are generated from it too)
 * @param env - the variables to read (`process.env` in `main.ts`, a literal in tests)
 * @returns the frozen configuration
 * @throws {ConfigError} `CONFIG_INVALID`, naming the first bad variable in `variable` and in the message
 * @example
 * const config = loadConfigFrom(CONFIG_SPEC, process.env);
 */
export function loadConfigFrom<Spec extends Record<string, ConfigKeySpec>>(spec: Spec, env: Readonly<Record<string, string | undefined>>): ConfigOf<Spec> {
  const values: Record<string, unknown> = {};
  for (const [key, keySpec] of Object.entries(spec)) {
    const raw = env[keySpec.env];
    const parsed = keySpec.schema.safeParse(raw === undefined || raw === '' ? keySpec.default : raw);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      throw new ConfigError(keySpec.env, `${keySpec.env} is invalid: ${reason}`, { cause: parsed.error });
    }
    values[key] = parsed.data;
  }
  return Object.freeze(values as ConfigOf<Spec>);
}
