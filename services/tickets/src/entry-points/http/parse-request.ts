import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { TicketsError, ValidationError } from '../../errors';

/**
 * Validates a request body or query with zod.
 *
 * @param schema - the schema
 * @param input - `req.body` (undefined when the request had none) or `req.query`
 * @returns the parsed value
 * @throws {ValidationError} `VALIDATION_FAILED` with one `{field, message}` per issue
 * @example
 * const { title, price } = parseRequest(newTicketSchema, req.body);
 */
export function parseRequest<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({ field: issue.path.length > 0 ? issue.path.join('.') : '(body)', message: issue.message })),
      { cause: parsed.error },
    );
  }
  return parsed.data;
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * Rejects any request body that is not JSON, before anything reads it.
 *
 * @returns middleware failing with `UNSUPPORTED_MEDIA_TYPE` (415)
 * @example
 * app.use(requireJsonBodies());
 */
export function requireJsonBodies(): RequestHandler {
  return (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) {
      next(new TicketsError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json'));
      return;
    }
    next();
  };
}
