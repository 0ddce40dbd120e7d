import type { RequestHandler } from 'express';
import { expressjwt, type GetVerificationKey } from 'express-jwt';
import { expressJwtSecret } from 'jwks-rsa';

/** Options of {@link jwksRsaGate}. */
export interface JwksRsaGateOptions {
  /** The auth service's JWKS endpoint. */
  readonly jwksUri: string;
  readonly issuer: string;
  readonly audience: string;
}

/**
 * What many teams run: express-jwt with jwks-rsa's `expressJwtSecret`, keys fetched from the
 * JWKS endpoint and cached (jwks-rsa's default 10 minutes, rate-limited refetch), ES256 only,
 * issuer and audience checked. No revocation at all: a banned user's token passes until `exp`.
 *
 * @param options - see {@link JwksRsaGateOptions}
 * @throws UnauthorizedError (via `next`, express-jwt's, status 401) `invalid_token`,
 *   `credentials_required`; jwks-rsa's errors when the endpoint cannot give the token's key
 * @example
 * app.use(jwksRsaGate({ jwksUri, issuer, audience }), ticketsApp);
 */
export function jwksRsaGate(options: JwksRsaGateOptions): RequestHandler {
  return expressjwt({
    // jwks-rsa types its callback for an older express-jwt; express-jwt 8 calls it the same way.
    secret: expressJwtSecret({ jwksUri: options.jwksUri, cache: true, rateLimit: true, jwksRequestsPerMinute: 10 }) as GetVerificationKey,
    algorithms: ['ES256'],
    issuer: options.issuer,
    audience: options.audience,
  }) as RequestHandler;
}
