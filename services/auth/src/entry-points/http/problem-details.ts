import { authProblem } from '@veto/auth-lib';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { AuthError, RateLimitedError, ValidationError, type AuthErrorCode } from '../../errors';

/**
 * HTTP status and title of every error code: the one place codes meet HTTP. Typed as a
 * `Record` over the code union, so a new code does not compile until it is mapped here.
 *
 * @example
 * HTTP_ERRORS.EMAIL_TAKEN.status // 409
 */
export const HTTP_ERRORS: Readonly<Record<AuthErrorCode, { readonly status: number; readonly title: string }>> = Object.freeze({
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  EMAIL_TAKEN: { status: 409, title: 'Email already registered' },
  INVALID_CREDENTIALS: { status: 401, title: 'Invalid credentials' },
  USER_BANNED: { status: 403, title: 'User banned' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  SESSION_REVOKED: { status: 401, title: 'Session revoked' },
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  CANNOT_BAN_SELF: { status: 409, title: 'Cannot ban yourself' },
  INTROSPECTION_UNAUTHORIZED: { status: 401, title: 'Introspection client not authorized' },
  INTROSPECTION_DISABLED: { status: 404, title: 'Introspection not configured' },
  REFRESH_TOKEN_INVALID: { status: 401, title: 'Invalid refresh token' },
  REFRESH_TOKEN_EXPIRED: { status: 401, title: 'Refresh token expired' },
  REFRESH_TOKEN_REUSED: { status: 401, title: 'Refresh token reused' },
  CONFIG_INVALID: { status: 500, title: 'Internal server error' },
  SIGNING_KEY_MISSING: { status: 500, title: 'Internal server error' },
  INTERNAL: { status: 500, title: 'Internal server error' },
});

/**
 * Translates body-parser's errors (they carry a `type` and a `status`) into coded errors.
 */
function fromBodyParser(error: unknown): AuthError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) {
    return undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return new AuthError('PAYLOAD_TOO_LARGE', 'The request body exceeds 16 KiB', { cause: error });
    case 'entity.parse.failed':
      return new AuthError('MALFORMED_JSON', 'The request body is not valid JSON', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AuthError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding or charset', { cause: error });
    default:
      return undefined;
  }
}

/**
 * Sends an error as `application/problem+json` (RFC 9457) with its stable `code`.
 *
 * @param res - the response
 * @param error - a coded error
 * @example
 * sendProblem(res, new AuthError('NOT_FOUND', 'No route for GET /nope'));
 */
export function sendProblem(res: Response, error: AuthError): void {
  const { status, title } = HTTP_ERRORS[error.code];
  if (error instanceof RateLimitedError) {
    res.set('Retry-After', String(error.retryAfterSeconds));
  }
  if (error.code === 'INTROSPECTION_UNAUTHORIZED') {
    // RFC 7662 §2.1: the protected resource authenticates as a client, e.g. with HTTP Basic.
    res.set('WWW-Authenticate', 'Basic realm="veto-introspection"');
  } else if (status === 401) {
    res.set('WWW-Authenticate', 'Bearer realm="veto", error="invalid_token"');
  }
  const body: Record<string, unknown> = {
    type: `urn:veto:error:${error.code.toLowerCase()}`,
    title,
    status,
    detail: status >= 500 ? title : error.message,
    code: error.code,
  };
  if (error instanceof ValidationError) {
    body.errors = error.errors;
  }
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * The one error middleware: coded errors become their problem response — the token codes
 * of `@veto/auth-lib` (`TOKEN_*`, `FORBIDDEN_ROLE`) through its `authProblem`, the service's
 * own through {@link HTTP_ERRORS}; anything else is logged (with the request id) and becomes
 * a 500 `INTERNAL` that leaks nothing.
 *
 * @param logger - where unexpected errors go
 * @returns the express error handler
 * @example
 * app.use(createErrorHandler(logger));
 */
export function createErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const tokenProblem = authProblem(error);
    if (tokenProblem !== undefined) {
      res.status(tokenProblem.status).set(tokenProblem.headers).send(JSON.stringify(tokenProblem.body));
      return;
    }
    const known = error instanceof AuthError ? error : fromBodyParser(error);
    if (known !== undefined && HTTP_ERRORS[known.code].status < 500) {
      sendProblem(res, known);
      return;
    }
    logger.error({ err: error, reqId: res.locals.requestId, method: req.method, path: req.path }, 'unexpected error');
    sendProblem(res, new AuthError('INTERNAL', 'Internal server error', { cause: error }));
  };
}
