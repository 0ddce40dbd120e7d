import { authProblem } from '@veto/auth-lib';
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { TicketsError, ValidationError, type TicketsErrorCode } from '../../errors';

/**
 * HTTP status and title of every tickets error code: the one place these codes meet HTTP.
 * Typed as a `Record` over the code union, so a new code does not compile until it is mapped
 * here. Token codes are mapped by `authProblem` from `@veto/auth-lib`.
 *
 * @example
 * HTTP_ERRORS.VERSION_CONFLICT.status // 409
 */
export const HTTP_ERRORS: Readonly<Record<TicketsErrorCode, { readonly status: number; readonly title: string }>> = Object.freeze({
  VALIDATION_FAILED: { status: 400, title: 'Validation failed' },
  MALFORMED_JSON: { status: 400, title: 'Malformed JSON body' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  TICKET_NOT_FOUND: { status: 404, title: 'Ticket not found' },
  NOT_TICKET_OWNER: { status: 403, title: 'Not the ticket owner' },
  VERSION_CONFLICT: { status: 409, title: 'Version conflict' },
  CONFIG_INVALID: { status: 500, title: 'Internal server error' },
  INTERNAL: { status: 500, title: 'Internal server error' },
});

/** The largest accepted request body. */
export const BODY_LIMIT = '16kb';

/** Translates body-parser's errors (they carry a `type`) into coded errors. */
function fromBodyParser(error: unknown): TicketsError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) {
    return undefined;
  }
  switch (error.type) {
    case 'entity.too.large':
      return new TicketsError('PAYLOAD_TOO_LARGE', `The request body exceeds ${BODY_LIMIT}`, { cause: error });
    case 'entity.parse.failed':
      return new TicketsError('MALFORMED_JSON', 'The request body is not valid JSON', { cause: error });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new TicketsError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported body encoding or charset', { cause: error });
    default:
      return undefined;
  }
}

function sendProblem(res: Response, error: TicketsError): void {
  const { status, title } = HTTP_ERRORS[error.code];
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
 * The one error middleware: token errors get auth-lib's problem response, the service's coded
 * errors theirs; anything else is logged (with the request id) and becomes a 500 `INTERNAL`
 * that leaks nothing.
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
    const auth = authProblem(error);
    if (auth !== undefined) {
      res.status(auth.status).set(auth.headers).send(JSON.stringify(auth.body));
      return;
    }
    const known = error instanceof TicketsError ? error : fromBodyParser(error);
    if (known !== undefined && HTTP_ERRORS[known.code].status < 500) {
      sendProblem(res, known);
      return;
    }
    logger.error({ err: error, reqId: res.locals.requestId, method: req.method, path: req.path }, 'unexpected error');
    sendProblem(res, new TicketsError('INTERNAL', 'Internal server error', { cause: error }));
  };
}
