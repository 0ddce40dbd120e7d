import { authErrorHandler } from '@veto/auth-lib/express';
import { COMMON_HTTP_ERRORS, createErrorHandler as createProblemHandler, type HttpErrorTable } from '@veto/service-kit';
import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { RateLimitedError, type AuthErrorCode } from '../../errors';

/**
 * HTTP status and title of every error code: the one place codes meet HTTP. Typed as a
 * `Record` over the code union, so a new code does not compile until it is mapped here.
 *
 * @example
 * HTTP_ERRORS.EMAIL_TAKEN.status // 409
 */
export const HTTP_ERRORS: HttpErrorTable<AuthErrorCode> = Object.freeze({
  ...COMMON_HTTP_ERRORS,
  EMAIL_TAKEN: { status: 409, title: 'Email already registered' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials' },
  USER_BANNED: { status: 403, title: 'User banned' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SESSION_REVOKED: { status: 401, title: 'Session revoked' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  CANNOT_BAN_SELF: { status: 409, title: 'Cannot ban yourself' },
  EVENT_NOT_FOUND: { status: 404, title: 'Event not found' },
  INTROSPECTION_UNAUTHORIZED: { status: 401, title: 'Introspection client not authorized' },
  INTROSPECTION_DISABLED: { status: 404, title: 'Introspection not configured' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'Invalid refresh token' },
  REFRESH_TOKEN_EXPIRED: { status: 401, title: 'Refresh token expired' },
  REFRESH_TOKEN_REUSED: { status: 401, title: 'Refresh token reused' },
  SIGNING_KEY_MISSING: { status: 500, title: 'Internal server error' },
  CONSOLE_NOT_BUILT: { status: 503, title: 'Admin console not built' },
});

/**
 * The error middleware, in order: the token codes of `@veto/auth-lib` (`TOKEN_*`,
 * `FORBIDDEN_ROLE`) through its `authErrorHandler`, then the service's own codes through
 * `@veto/service-kit`'s problem handler with {@link HTTP_ERRORS} — `Retry-After` on
 * `RATE_LIMITED`, a Bearer `invalid_token` challenge on every 401 (the introspection
 * router answers its own client errors, with a Basic challenge). Anything else is logged (with the request
 * id) and becomes a 500 `INTERNAL` that leaks nothing.
 *
 * @param logger - where unexpected errors go
 * @returns the express error handlers, to mount last
 * @example
 * app.use(createErrorHandler(logger));
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler[] {
  return [
    authErrorHandler(),
    createProblemHandler({
      logger,
      errors: HTTP_ERRORS,
      headersFor: (error, status): Record<string, string> => {
        if (error instanceof RateLimitedError) {
          return { 'Retry-After': String(error.retryAfterSeconds) };
        }
        return status === 401 ? { 'WWW-Authenticate': 'Bearer realm="veto", error="invalid_token"' } : {};
      },
    }),
  ];
}
