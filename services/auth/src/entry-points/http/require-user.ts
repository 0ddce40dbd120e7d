import type { KeyObject } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import jwt from 'jsonwebtoken';
import type { Clock } from '../../clock';
import type { Database } from '../../data-access/database';
import { getSessionUser } from '../../domain/get-session-user';
import type { PublicUser } from '../../domain/public-user';
import { AuthError } from '../../errors';
import { ACCESS_COOKIE } from './session-cookies';

// This module is the auth service's only access-token verifier; it is meant to be
// replaced by @veto/auth-lib's middleware once that package ships one.

/** What verifying an access token needs. */
export interface AccessTokenVerification {
  /** Accepted public keys by `kid` (current and previous signing keys). */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  readonly issuer: string;
  readonly audience: string;
  readonly clock: Clock;
}

/** The claims the auth service relies on. */
export interface VerifiedClaims {
  readonly sub: string;
  readonly sid: string;
}

/**
 * The access token of a request: `Authorization: Bearer` wins over the cookie.
 *
 * @param req - the request
 * @returns the raw token, or `undefined` when none was presented
 * @example
 * const token = presentedAccessToken(req);
 */
export function presentedAccessToken(req: Request): string | undefined {
  const header = req.get('authorization');
  if (header !== undefined) {
    const match = /^Bearer +([^ ]+) *$/i.exec(header);
    return match?.[1] ?? '';
  }
  const cookie: unknown = req.cookies?.[ACCESS_COOKIE];
  return typeof cookie === 'string' && cookie !== '' ? cookie : undefined;
}

/**
 * Verifies an access token: ES256 only, the `kid`'s key, issuer, audience, expiry
 * (against the injected clock), and the presence of `sub` and `sid`.
 *
 * @param token - the raw JWT
 * @param options - keys, issuer, audience, clock
 * @param ignoreExpiration - true only for sign-out, which may end a session with an expired token
 * @returns the claims
 * @throws {AuthError} `TOKEN_EXPIRED`, or `INVALID_TOKEN` for anything else wrong
 * @example
 * const claims = verifyAccessToken(token, verification);
 */
export function verifyAccessToken(token: string, options: AccessTokenVerification, ignoreExpiration = false): VerifiedClaims {
  const decoded = jwt.decode(token, { complete: true });
  const kid = decoded?.header.kid;
  const key = kid === undefined ? undefined : options.publicKeys.get(kid);
  if (key === undefined) {
    throw new AuthError('INVALID_TOKEN', 'The access token is malformed or signed by an unknown key');
  }
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, key, {
      algorithms: ['ES256'],
      issuer: options.issuer,
      audience: options.audience,
      clockTimestamp: options.clock() / 1000,
      ignoreExpiration,
    });
  } catch (error) {
    if (error instanceof jwt.TokenExpiredError) {
      throw new AuthError('TOKEN_EXPIRED', 'The access token has expired', { cause: error });
    }
    throw new AuthError('INVALID_TOKEN', 'The access token is invalid', { cause: error });
  }
  if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
    throw new AuthError('INVALID_TOKEN', 'The access token lacks sub or sid');
  }
  return { sub: payload.sub, sid: payload.sid };
}

/**
 * Middleware that admits a request only with a valid access token whose session is
 * still live; puts the user in `res.locals.user` and the claims in `res.locals.claims`.
 *
 * @param options - verification settings and the database for the session check
 * @returns the middleware
 * @throws {AuthError} (to the error middleware) `UNAUTHENTICATED`, `INVALID_TOKEN`, `TOKEN_EXPIRED`, `SESSION_REVOKED`, `USER_BANNED`
 * @example
 * router.get('/me', createRequireUser({ ...verification, db }), (req, res) => res.json({ user: res.locals.user }));
 */
export function createRequireUser(options: AccessTokenVerification & { readonly db: Database }): RequestHandler {
  return async (req, res, next) => {
    const token = presentedAccessToken(req);
    if (token === undefined) {
      throw new AuthError('UNAUTHENTICATED', 'An access token is required');
    }
    const claims = verifyAccessToken(token, options);
    const user: PublicUser = await getSessionUser(options.db, { userId: claims.sub, sessionId: claims.sid });
    res.locals.claims = claims;
    res.locals.user = user;
    next();
  };
}
