import type { ErrorRequestHandler } from 'express';
import { UnauthorizedError } from 'express-jwt';
import { IntrospectionGateError } from './introspection-gate';
import { RedisDenylistGateError } from './redis-denylist-gate';

function statusAndCode(err: unknown): { status: number; code: string } | undefined {
  if (err instanceof IntrospectionGateError) return { status: err.code === 'INTROSPECTION_INACTIVE' ? 401 : 503, code: err.code };
  if (err instanceof RedisDenylistGateError) return { status: 503, code: err.code };
  // express-jwt's codes (`invalid_token`, `revoked_token`, ...), upper-cased like the project's.
  if (err instanceof UnauthorizedError) return { status: 401, code: err.code.toUpperCase() };
  return undefined;
}

/**
 * The error middleware behind the baseline gates (introspection, Redis denylist, express-jwt +
 * jwks-rsa): their refusals become `application/problem+json` with a `code`; anything else goes
 * on to the next error handler (a 500).
 *
 * @example
 * express().use(redisDenylistGate(options)).use(ticketsApp).use(gateProblem);
 */
export const gateProblem: ErrorRequestHandler = (err, _req, res, next) => {
  const mapped = statusAndCode(err);
  if (mapped === undefined) {
    next(err);
    return;
  }
  const { status, code } = mapped;
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `urn:veto:error:${code.toLowerCase()}`, title: (err as Error).message, status, code }));
};
