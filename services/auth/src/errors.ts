/**
 * Every stable error code the auth service can produce, as data so documentation and
 * tests can enumerate them. The HTTP edge maps each code to a status once
 * (`entry-points/http/problem-details.ts`); clients and tests rely on the code, never
 * on the message.
 */
export const AUTH_ERROR_CODES = Object.freeze([
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  'USER_BANNED',
  'RATE_LIMITED',
  'SESSION_REVOKED',
  'USER_NOT_FOUND',
  'CANNOT_BAN_SELF',
  'INTROSPECTION_UNAUTHORIZED',
  'INTROSPECTION_DISABLED',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'CONFIG_INVALID',
  'SIGNING_KEY_MISSING',
  'INTERNAL',
] as const);

/** A stable error code of the auth service. */
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/**
 * Base class of every error the auth service throws on purpose.
 *
 * @param code - stable machine-readable code
 * @param message - human-readable detail (safe to show to the client)
 * @param options - `cause` is passed through to `Error`
 * @example
 * throw new AuthError('EMAIL_TAKEN', 'An account with this email already exists');
 */
export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One invalid field of a request body. */
export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/**
 * A request body failed validation; carries one entry per invalid field.
 *
 * @param errors - the invalid fields
 * @example
 * throw new ValidationError([{ field: 'email', message: 'Invalid email address' }]);
 */
export class ValidationError extends AuthError {
  readonly errors: readonly FieldError[];

  constructor(errors: readonly FieldError[], options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', 'The request body is invalid', options);
    this.errors = Object.freeze([...errors]);
  }
}

/**
 * Too many attempts in the current window; carries when to try again.
 *
 * @param retryAfterSeconds - whole seconds until the window resets (at least 1)
 * @example
 * throw new RateLimitedError(42);
 */
export class RateLimitedError extends AuthError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many attempts, retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Start-up configuration is missing or invalid; names the environment variable.
 *
 * @param code - `CONFIG_INVALID` or `SIGNING_KEY_MISSING`
 * @param variable - the environment variable to fix
 * @param message - what is wrong with it
 * @example
 * throw new ConfigError('CONFIG_INVALID', 'PORT', 'PORT must be an integer between 0 and 65535');
 */
export class ConfigError extends AuthError {
  readonly variable: string;

  constructor(code: 'CONFIG_INVALID' | 'SIGNING_KEY_MISSING', variable: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.variable = variable;
  }
}
