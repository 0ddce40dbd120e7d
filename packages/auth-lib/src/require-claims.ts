import type { AccessTokenClaims, Role } from './access-token-claims';
import { TokenError } from './errors';

/**
 * Admits a request's claims, optionally only with one of the given roles; the rule behind
 * `requireAuth` and `requireRole` of every framework adapter.
 *
 * @param claims - what authentication found, undefined when the request carried no token
 * @param roles - accepted roles; none: any authenticated request
 * @returns the claims
 * @throws TokenError `TOKEN_MISSING` without claims, `FORBIDDEN_ROLE` with another role
 * @example
 * const claims = requireClaims(request.user, ['admin']);
 */
export function requireClaims(claims: AccessTokenClaims | undefined, roles: readonly Role[] = []): AccessTokenClaims {
  if (claims === undefined) throw new TokenError('TOKEN_MISSING', 'this resource requires an access token');
  if (roles.length > 0 && !roles.includes(claims.role)) throw new TokenError('FORBIDDEN_ROLE', `this resource requires the role ${roles.join(' or ')}`);
  return claims;
}
