import type { AccessTokenClaims } from './access-token-claims';
import { TokenError } from './errors';
import { extractToken } from './extract-token';
import type { Verifier } from './verifier';

/** The request headers {@link authenticateRequest} reads. */
export interface TokenHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/** How {@link authenticateRequest} treats a request. */
export interface AuthenticateRequestOptions {
  cookieName: string;
  feed?: { readonly isReady: boolean } | undefined;
  requireReady: boolean;
}

/**
 * Verifies the token a request carries, the same way for every framework adapter.
 *
 * @param verifier - from {@link createVerifier}
 * @param headers - the request's `authorization` and `cookie` headers
 * @param options - cookie name, the feed and whether valid tokens wait for its catch-up
 * @returns the claims, or undefined when the request carries no token
 * @throws TokenError with a `TOKEN_*` code, `REVOCATION_NOT_READY` or `REVOCATION_UNAVAILABLE`
 * @example
 * const claims = authenticateRequest(verifier, req.headers, { cookieName: 'veto_access', feed, requireReady: true });
 */
export function authenticateRequest(verifier: Verifier, headers: TokenHeaders, options: AuthenticateRequestOptions): AccessTokenClaims | undefined {
  const token = extractToken(headers.authorization, headers.cookie, options.cookieName);
  if (token === undefined) return undefined;
  const claims = verifier.verify(token);
  // Checked after verification so a bad token still gets its 401 while the feed catches up.
  if (options.requireReady && options.feed !== undefined && !options.feed.isReady) {
    throw new TokenError('REVOCATION_NOT_READY', 'revocation state is still loading');
  }
  return claims;
}
