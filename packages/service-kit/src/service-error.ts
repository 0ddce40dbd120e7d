/**
 * Base class of every error a service throws on purpose: a stable machine-readable `code` that
 * clients and tests rely on, and a message safe to show to the client.
 *
 * @param code - stable code, one of the service's code union
 * @param message - human-readable detail
 * @param options - `cause` is passed through to `Error`
 * @example
 * class TicketsError extends ServiceError<TicketsErrorCode> {}
 * throw new TicketsError('TICKET_NOT_FOUND', `No ticket ${id}`);
 */
export class ServiceError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One invalid field of a request body or query. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * A request body or query failed validation; carries one entry per invalid field.
 *
 * @param errors - the invalid fields
 * @example
 * throw new ValidationError([{ field: 'price', message: 'Too big: expected number to be <=100000000' }]);
 */
export class ValidationError extends ServiceError<'VALIDATION_FAILED'> {
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[], options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', 'The request is invalid', options);
    this.errors = Object.freeze([...errors]);
  }
}

/**
 * Start-up configuration is missing or invalid; names the environment variable.
 *
 * @param variable - the environment variable to fix
 * @param message - what is wrong with it
 * @example
 * throw new ConfigError('PORT', 'PORT is invalid: expected an integer');
 */
export class ConfigError extends ServiceError<'CONFIG_INVALID'> {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.variable = variable;
  }
}
