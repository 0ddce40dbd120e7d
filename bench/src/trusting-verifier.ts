import { accessTokenClaimsSchema, type AccessTokenClaims, type Verifier } from '@veto/auth-lib';

/**
 * A stand-in verifier that checks nothing: it reads a token's claims (once per distinct token)
 * and returns them. Injected into the tickets app it gives the route the same `req.auth` as a
 * real verifier at the cost of a map lookup — the "no auth" ceiling of the overhead suite, and the
 * claims carrier behind the introspection gate, which makes the decision there. Never for a real
 * service.
 *
 * @throws Error from `verify` when the token's payload is not a Veto claims object
 * @example
 * createApp({ ...deps, verifier: createTrustingVerifier() });
 */
export function createTrustingVerifier(): Verifier {
  const claimsByToken = new Map<string, AccessTokenClaims>();
  return {
    verify(token) {
      let claims = claimsByToken.get(token);
      if (claims === undefined) {
        const payload = token.split('.')[1] ?? '';
        claims = Object.freeze(accessTokenClaimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))));
        claimsByToken.set(token, claims);
      }
      return claims;
    },
    stats: { cacheHits: 0, cacheMisses: 0 },
  };
}
