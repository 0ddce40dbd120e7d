import { parseCookie } from 'cookie';
import { TokenError } from './errors';

const BEARER = /^Bearer(?: +(\S*))? *$/i;

/**
 * The access token of a request: from `Authorization: Bearer` (preferred) or, when that header
 * is absent or not a Bearer credential, from the access cookie. Shared by the express and
 * Fastify adapters so both read tokens the same way.
 *
 * @param authorization - the `Authorization` header, if any
 * @param cookieHeader - the `Cookie` header, if any
 * @param cookieName - the access cookie's name
 * @returns the token, or undefined when the request carries none
 * @throws TokenError `TOKEN_MALFORMED` for `Bearer` with empty credentials
 * @example
 * const token = extractToken(req.headers.authorization, req.headers.cookie, 'veto_access');
 */
export function extractToken(authorization: string | undefined, cookieHeader: string | undefined, cookieName: string): string | undefined {
  if (authorization !== undefined) {
    const match = BEARER.exec(authorization);
    if (match !== null) {
      if (match[1] === undefined || match[1] === '') throw new TokenError('TOKEN_MALFORMED', 'empty Bearer credentials');
      return match[1];
    }
  }
  if (cookieHeader === undefined) return undefined;
  return parseCookie(cookieHeader)[cookieName] || undefined;
}
