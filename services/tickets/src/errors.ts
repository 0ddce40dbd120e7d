/**
 * Every stable error code the tickets service itself produces, as data so documentation and
 * tests can enumerate them. Token and revocation codes (`TOKEN_*`, `REVOCATION_*`) come from
 * `@veto/auth-lib`. The HTTP edge maps each code to a status once
 * (`entry-points/http/problem-details.ts`); clients and tests rely on the code, never on the message.
 */
export const TICKETS_ERROR_CODES = Object.freeze([
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'TICKET_NOT_FOUND',
  'NOT_TICKET_OWNER',
  'VERSION_CONFLICT',
  'CONFIG_INVALID',
  'INTERNAL',
] as const);

/** A stable error code of the tickets service. */
export type TicketsErrorCode = (typeof TICKETS_ERROR_CODES)[number];

/**
 * Base class of every error the tickets service throws on purpose.
 *
 * @param code - stable machine-readable code
 * @param message - human-readable detail (safe to show to the client)
 * @param options - `cause` is passed through to `Error`
 * @example
 * throw new TicketsError('TICKET_NOT_FOUND', `No ticket ${id}`);
 */
export class TicketsError extends Error {
  readonly code: TicketsErrorCode;

  constructor(code: TicketsErrorCode, message: string, options?: { cause?: unknown }) {
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
export class ValidationError extends TicketsError {
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
export class ConfigError extends TicketsError {
  readonly variable: string;

  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.variable = variable;
  }
}
