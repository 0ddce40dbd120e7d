import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { ServiceError, ValidationError } from './service-error';

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
 * Rejects any request body that is not of an accepted media type, before anything reads it.
 *
 * @param types - accepted types (default JSON only)
 * @returns middleware failing with `UNSUPPORTED_MEDIA_TYPE` (415)
 * @example
 * app.use(requireJsonBodies());
 */
export function requireJsonBodies(types: readonly string[] = ['application/json']): RequestHandler {
  return (req, _res, next) => {
    if (hasBody(req.headers) && !req.is([...types])) {
      next(new ServiceError('UNSUPPORTED_MEDIA_TYPE', `Request bodies must be ${types.join(' or ')}`));
      return;
    }
    next();
  };
}
