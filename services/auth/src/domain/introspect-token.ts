import { isAuthError, type Verifier } from '@veto/auth-lib';
import type { Database } from '../data-access/database';
import { findSessionState } from '../data-access/sessions-repository';

/** An RFC 7662 introspection response: only `active` when the token is not usable. */
export type IntrospectionResult =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly sub: string;
      readonly sid: string;
      readonly role: string;
      readonly exp: number;
      readonly iat: number;
      readonly iss: string;
      readonly aud: string | readonly string[];
      readonly jti: string;
      readonly token_type: 'access_token';
    };

const INACTIVE: IntrospectionResult = Object.freeze({ active: false });

/**
 * Tells whether an access token is usable right now (RFC 7662): verified locally (signature,
 * issuer, audience, expiry — the verification cache makes a repeated token cheap), then one
 * indexed query for its session and user. Inactive for any bad token, an ended or unknown
 * session, a session of someone else, or a banned user; the reason is never disclosed.
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
    if (isAuthError(error)) {
      return INACTIVE;
    }
    throw error;
  }
  const state = await findSessionState(deps.db, claims.sid);
  if (state === undefined || state.revokedAt !== null || state.userId !== claims.sub || state.userBannedAt !== null) {
    return INACTIVE;
  }
  const { sub, sid, role, exp, iat, iss, aud, jti } = claims;
  return { active: true, sub, sid, role, exp, iat, iss, aud, jti, token_type: 'access_token' };
}
