import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ServiceError, ValidationError } from './service-error';

/** HTTP status and title of one error code. */
export interface HttpErrorSpec {
  readonly status: number;
  readonly title: string;
}

/** A service's whole code → HTTP table: the one place its codes meet HTTP. */
export type HttpErrorTable<Code extends string> = Readonly<Record<Code, HttpErrorSpec>>;

/** The codes every service's HTTP edge produces, whatever its domain. */
export const COMMON_HTTP_ERRORS = Object.freeze({
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  CROSS_SITE_REQUEST: { status: 403, title: 'Cross-site request refused' },
  CONFIG_INVALID: { status: 500, title: 'Internal server error' },
  INTERNAL: { status: 500, title: 'Internal server error' },
} as const satisfies HttpErrorTable<string>);

/** A code every service shares. */
export type CommonErrorCode = keyof typeof COMMON_HTTP_ERRORS;

/** The largest accepted JSON request body. */
export const BODY_LIMIT = '16kb';

// zlib's codes for gzip/deflate (`Z_DATA_ERROR`, `Z_BUF_ERROR` for a truncated stream),
// brotli's (`ERR__ERROR_FORMAT_…`) and, on a Node with zstd (body-parser then accepts it), zstd's
// (`ZSTD_error_…`).
const ZLIB_DECODE_ERROR = /^(Z_|ERR__ERROR_|ZSTD_error_)/;

/** What `error.status` says, when the framework set one. */
function statusOf(error: object): unknown {
  return 'status' in error ? error.status : undefined;
}

/**
 * Translates the errors express raises before a route runs into coded errors, so a malformed
 * request is a 4xx like any other and never logged as a failure of ours: body-parser's (they carry
 * a `type`), the zlib error it passes on as a 400 for a corrupt gzip/deflate/br/zstd body (a `code`
 * but no `type`), and the router's 400 `URIError` for a path parameter that is not valid
 * percent-encoding.
 */
function fromExpress(error: unknown): ServiceError<CommonErrorCode> | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  if (error instanceof URIError && statusOf(error) === 400) {
    return new ValidationError([{ field: '(path)', message: 'The path is not valid percent-encoding' }], { cause: error });
  }
  if (!('type' in error)) {
    // body-parser answers a body its decompression stream rejects with zlib's error itself, status 400.
    const code = 'code' in error ? error.code : undefined;
    if (statusOf(error) === 400 && typeof code === 'string' && ZLIB_DECODE_ERROR.test(code)) {
      return new ServiceError('MALFORMED_JSON', 'The request body could not be decompressed (Content-Encoding)', { cause: error });
    }
    return undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return new ServiceError('PAYLOAD_TOO_LARGE', `The request body exceeds ${BODY_LIMIT}`, { cause: error });
    case 'parameters.too.many':
      return new ServiceError('PAYLOAD_TOO_LARGE', 'The form has too many parameters', { cause: error });
    case 'entity.parse.failed':
      return new ServiceError('MALFORMED_JSON', 'The request body is not valid JSON', { cause: error });
    case 'request.aborted':
    case 'request.size.invalid':
      // The client stopped sending, or sent fewer bytes than its Content-Length: no complete body to parse.
      return new ServiceError('MALFORMED_JSON', 'The request body is incomplete', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ServiceError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding or charset', { cause: error });
    default:
      return undefined;
  }
}

/**
 * The coded error behind anything an express error handler receives: a {@link ServiceError}
 * itself, or the framework's own errors translated (body-parser, decompression, path decoding).
 *
 * @param error - what reached the error handler
 * @returns the coded error, or undefined for an unexpected error
 * @example
 * const known = asServiceError(error); // undefined → a 500 of ours
 */
export function asServiceError(error: unknown): ServiceError | undefined {
  return error instanceof ServiceError ? error : fromExpress(error);
}

/**
 * The RFC 9457 members of a coded error's answer: `type`, `title`, `status`, `detail`, `code`,
 * and `errors` for a validation failure. A failure of ours (a 5xx other than 501) never details its cause.
 *
 * @param error - the coded error
 * @param spec - its status and title, from the service's table
 * @returns the body, to be sent as JSON
 * @example
 * res.status(spec.status).type('application/problem+json').send(JSON.stringify(problemBody(error, spec)));
 */
export function problemBody(error: ServiceError, { status, title }: HttpErrorSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {
    type: `urn:veto:error:${error.code.toLowerCase()}`,
    title,
    status,
    detail: isAnswer(status) ? error.message : title,
    code: error.code,
  };
  if (error instanceof ValidationError) {
    body.errors = error.errors;
  }
  return body;
}

/**
 * Whether a coded error's status is an answer to the request rather than a failure of ours: every
 * 4xx, and 501 Not Implemented (a route the service names but does not serve yet: nothing failed,
 * and the problem tells the client so instead of hiding it behind a 500).
 */
function isAnswer(status: number): boolean {
  return status < 500 || status === 501;
}

/** What the error middleware needs to know about a service. */
export interface ErrorHandlerOptions<Code extends string> {
  /** Where unexpected errors go, with the request id. */
  readonly logger: Logger;
  /** Every code the service answers with; must include the common codes. */
  readonly errors: HttpErrorTable<Code | CommonErrorCode>;
  /** Extra response headers for a coded error (e.g. `Retry-After`, `WWW-Authenticate`). */
  readonly headersFor?: (error: ServiceError, status: number) => Readonly<Record<string, string>>;
}

/**
 * The one error middleware of a service: coded errors with a 4xx status (or 501, a route not
 * served yet) become their RFC 9457 problem response (`type`, `title`, `status`, `detail`, `code`,
 * and `errors` for validation); anything else — including any other coded 5xx — is logged with the request id and answered as a
 * 500 `INTERNAL` that leaks nothing. Put `authErrorHandler()` of `@veto/auth-lib` before it
 * so token errors keep auth-lib's answer.
 *
 * @param options - logger, the service's code table and optional extra headers
 * @returns the express error handler
 * @example
 * app.use(authErrorHandler());
 * app.use(createErrorHandler({ logger, errors: HTTP_ERRORS }));
 */
export function createErrorHandler<Code extends string>(options: ErrorHandlerOptions<Code>): ErrorRequestHandler {
  const table: Readonly<Record<string, HttpErrorSpec>> = options.errors;
  const send = (res: Response, error: ServiceError, spec: HttpErrorSpec): void => {
    res
      .status(spec.status)
      .set(options.headersFor?.(error, spec.status) ?? {})
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(error, spec)));
  };
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const known = asServiceError(error);
    const spec = known === undefined ? undefined : table[known.code];
    if (known !== undefined && spec !== undefined && isAnswer(spec.status)) {
      send(res, known, spec);
      return;
    }
    options.logger.error({ err: error, reqId: res.locals.requestId, method: req.method, path: req.path }, 'unexpected error');
    send(res, new ServiceError('INTERNAL', 'Internal server error', { cause: error }), COMMON_HTTP_ERRORS.INTERNAL);
  };
}
