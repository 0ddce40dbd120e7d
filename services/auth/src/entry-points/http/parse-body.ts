import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { AuthError, ValidationError } from '../../errors';

/**
 * Validates a request body (or its query or path parameters) with zod.
 *
 * @param schema - the schema
 * @param body - `req.body` (undefined when the request had none), `req.query` or `req.params`
 * @returns the parsed body
 * @throws {ValidationError} `VALIDATION_FAILED` with one `{field, message}` per issue
 * @example
 * const { email, password } = parseBody(credentialsSchema, req.body);
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body ?? {});
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
      next(new AuthError('UNSUPPORTED_MEDIA_TYPE', 'Request bodies must be application/json'));
      return;
    }
    next();
  };
}
