import { ServiceError } from '@veto/service-kit';

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
  'CROSS_SITE_REQUEST',
  'EMAIL_TAKEN',
  'INVALID_CREDENTIALS',
  'USER_BANNED',
  'RATE_LIMITED',
  'SESSION_REVOKED',
  'USER_NOT_FOUND',
  'CANNOT_BAN_SELF',
  'EVENT_NOT_FOUND',
  'INTROSPECTION_UNAUTHORIZED',
  'INTROSPECTION_DISABLED',
  'REFRESH_TOKEN_INVALID',
  'REFRESH_TOKEN_EXPIRED',
  'REFRESH_TOKEN_REUSED',
  'CONFIG_INVALID',
  'SIGNING_KEY_MISSING',
  'CONSOLE_NOT_BUILT',
  'INTERNAL',
] as const);

/** A stable error code of the auth service. */
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

/**
 * Base class of every error the auth service throws on purpose (a `ServiceError` of
 * `@veto/service-kit` with the auth code union). Validation and configuration errors are the
 * kit's `ValidationError` and `ConfigError`, re-exported here.
 *
 * @param code - stable machine-readable code
 * @param message - human-readable detail (safe to show to the client)
 * @param options - `cause` is passed through to `Error`
 * @example
 * throw new AuthError('EMAIL_TAKEN', 'An account with this email already exists');
 */
export class AuthError extends ServiceError<AuthErrorCode> {}

export { ConfigError, ValidationError, type FieldError } from '@veto/service-kit';

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
 * No signing key is configured outside local mode; names the variable to set.
 *
 * @param message - what to do
 * @example
 * throw new SigningKeyMissingError('JWT_PRIVATE_KEY (or JWT_PRIVATE_KEY_FILE) is required outside local mode');
 */
export class SigningKeyMissingError extends AuthError {
  readonly variable = 'JWT_PRIVATE_KEY';

  constructor(message: string) {
    super('SIGNING_KEY_MISSING', message);
  }
}
