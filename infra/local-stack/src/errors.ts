/** Every stable error code of the local stack: the gateway's HTTP codes and the launcher's start-up codes. */
export const LOCAL_STACK_ERROR_CODES = Object.freeze([
  'NOT_FOUND',
  'UPSTREAM_UNAVAILABLE',
  'CONFIG_INVALID',
  'NATS_SERVER_MISSING',
  'CHILD_EXITED',
  'NOT_READY',
  'DEMO_FAILED',
] as const);

/** A stable error code of the local stack. */
export type LocalStackErrorCode = (typeof LOCAL_STACK_ERROR_CODES)[number];

/**
 * Base class of every error the local stack throws on purpose.
 *
 * @param code - stable machine-readable code
 * @param message - human-readable detail
 * @param options - `cause` is passed through to `Error`
 * @example
 * throw new LocalStackError('NOT_READY', 'auth did not answer /readyz with 200 within 120 s');
 */
export class LocalStackError extends Error {
  readonly code: LocalStackErrorCode;

  constructor(code: LocalStackErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A bad launcher setting, naming its environment variable.
 *
 * @example
 * throw new ConfigError('GATEWAY_PORT', 'GATEWAY_PORT is invalid: expected an integer');
 */
export class ConfigError extends LocalStackError {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.variable = variable;
  }
}
