import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { ServiceError, ValidationError } from './service-error';

const NUL_MESSAGE = 'must not contain NUL characters';

/** The paths (`a.b.0`) of every string, or object key, in a parsed value that contains a NUL character. */
function pathsWithNul(value: unknown, path: readonly (string | number)[] = [], found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path.length > 0 ? path.join('.') : '(body)');
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => pathsWithNul(item, [...path, index], found));
  } else if (typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push([...path, key].join('.'));
      pathsWithNul(item, [...path, key], found);
    }
  }
  return found;
}

/**
 * Validates a request body or query with zod, then refuses any string in the result (values and
 * keys, at any depth) that contains a NUL character: PostgreSQL's `text` cannot store one, so it
 * would otherwise surface as a database error (a 500) wherever the string is written or compared.
 * Checking here, on what the route will actually use, protects every route, present and future.
 *
 * @param schema - the schema
 * @param input - `req.body` (undefined when the request had none), `req.query` or `req.params`
 * @returns the parsed value
 * @throws {ValidationError} `VALIDATION_FAILED` with one `{field, message}` per issue, or per string containing NUL
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
  const withNul = pathsWithNul(parsed.data);
  if (withNul.length > 0) {
    throw new ValidationError(withNul.map((field) => ({ field, message: NUL_MESSAGE })));
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
