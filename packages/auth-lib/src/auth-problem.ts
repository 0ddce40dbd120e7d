import { TokenError, type TokenErrorCode } from './errors';

/** An HTTP response for an {@link TokenError}: RFC 9457 problem details plus RFC 6750 headers. */
export interface AuthProblem {
  status: number;
  headers: Record<string, string>;
  body: { type: string; title: string; status: number; detail: string; code: TokenErrorCode };
}

const INVALID_TOKEN = { 'WWW-Authenticate': 'Bearer error="invalid_token"' };

// A Record over the code union: adding a code without deciding its status does not compile.
const PROBLEMS: Record<TokenErrorCode, { status: number; title: string; headers: Record<string, string> }> = {
  // RFC 6750 §3.1: a request without credentials gets the challenge without an error attribute.
  TOKEN_MISSING: { status: 401, title: 'Authentication required', headers: { 'WWW-Authenticate': 'Bearer' } },
  TOKEN_MALFORMED: { status: 401, title: 'Malformed token', headers: INVALID_TOKEN },
  TOKEN_INVALID_SIGNATURE: { status: 401, title: 'Invalid token signature', headers: INVALID_TOKEN },
  TOKEN_EXPIRED: { status: 401, title: 'Token expired', headers: INVALID_TOKEN },
  TOKEN_NOT_YET_VALID: { status: 401, title: 'Token not yet valid', headers: INVALID_TOKEN },
  TOKEN_LIFETIME_TOO_LONG: { status: 401, title: 'Token lifetime too long', headers: INVALID_TOKEN },
  TOKEN_WRONG_ISSUER: { status: 401, title: 'Token from an untrusted issuer', headers: INVALID_TOKEN },
  TOKEN_WRONG_AUDIENCE: { status: 401, title: 'Token for another audience', headers: INVALID_TOKEN },
  TOKEN_WRONG_ALGORITHM: { status: 401, title: 'Token algorithm not accepted', headers: INVALID_TOKEN },
  TOKEN_UNKNOWN_KEY: { status: 401, title: 'Token signed with an unknown key', headers: INVALID_TOKEN },
  TOKEN_REVOKED: { status: 401, title: 'Token revoked', headers: INVALID_TOKEN },
  FORBIDDEN_ROLE: { status: 403, title: 'Role not permitted', headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } },
  REVOCATION_NOT_READY: { status: 503, title: 'Revocation state still loading', headers: { 'Retry-After': '1' } },
  REVOCATION_UNAVAILABLE: { status: 503, title: 'Revocation state unavailable', headers: { 'Retry-After': '5' } },
  JWKS_UNAVAILABLE: { status: 503, title: 'Signing keys unavailable', headers: { 'Retry-After': '5' } },
  JWKS_INVALID: { status: 503, title: 'Signing keys invalid', headers: {} },
};

/**
 * Maps an error to its HTTP response when it is an {@link TokenError}; the one place where
 * auth codes become statuses. A service's single error middleware calls it first.
 *
 * @param err - anything passed to `next(err)`
 * @returns the response to send, or undefined when `err` is not a TokenError
 * @example
 * app.use((err, req, res, next) => {
 *   const problem = authProblem(err);
 *   if (problem) return res.status(problem.status).set(problem.headers).json(problem.body);
 *   next(err);
 * });
 */
export function authProblem(err: unknown): AuthProblem | undefined {
  if (!(err instanceof TokenError)) return undefined;
  const { status, title, headers } = PROBLEMS[err.code];
  return {
    status,
    headers: { ...headers, 'Content-Type': 'application/problem+json' },
    body: { type: `urn:veto:error:${err.code.toLowerCase()}`, title, status, detail: err.message, code: err.code },
  };
}
