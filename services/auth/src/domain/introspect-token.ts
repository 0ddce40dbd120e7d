import { isTokenError, type Role, type Verifier } from '@veto/auth-lib';
import type { Database } from '../data-access/database';
import { findSessionState } from '../data-access/sessions-repository';

/**
 * An RFC 7662 introspection response: only `active` when the token is not usable; else its
 * claims, with `exp` and `iat` in whole seconds and `role` as stored now.
 */
export type IntrospectionResult =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly sub: string;
      readonly sid: string;
      readonly role: Role;
      readonly exp: number;
      readonly iat: number;
      readonly iss: string;
      readonly aud: string | readonly string[];
      readonly jti: string;
      readonly token_type: 'Bearer';
    };

const INACTIVE: IntrospectionResult = Object.freeze({ active: false });

/**
 * Tells whether an access token is usable right now (RFC 7662): verified locally (signature,
 * issuer, audience, expiry — the verification cache makes a repeated token cheap), then one
 * indexed query for its session joined to its user. Inactive for any bad token, an ended or
 * unknown session, a session of someone else, a banned or deleted user; the
 * reason is never disclosed. The role is the user's current one, not the token's: an admin
 * demoted since the token was issued introspects as `user`.
 *
 * @param deps - the database and the service's access-token verifier
 * @param token - the presented token
 * @returns the introspection response
 * @example
 * const result = await introspectToken({ db, verifier }, body.token);
 */
export async function introspectToken(deps: { db: Database; verifier: Verifier }, token: string): Promise<IntrospectionResult> {
  let claims;
  try {
    claims = deps.verifier.verify(token);
  } catch (error) {
    if (isTokenError(error)) {
      return INACTIVE;
    }
    throw error;
  }
  const state = await findSessionState(deps.db, claims.sid);
  if (state === undefined || state.revokedAt !== null || state.userId !== claims.sub || state.userBannedAt !== null) {
    return INACTIVE;
  }
  const { sub, sid, iss, aud, jti } = claims;
  // RFC 7662 §2.2: exp and iat are NumericDates, whole seconds.
  return { active: true, sub, sid, role: state.userRole, exp: Math.floor(claims.exp), iat: Math.floor(claims.iat), iss, aud, jti, token_type: 'Bearer' };
}
