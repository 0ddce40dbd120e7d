import { isAuthError, type AuthErrorCode } from '../errors';

/**
 * What a verification did: `'accepted'`, or the code of the AuthError it threw; anything else is rethrown.
 *
 * @param verify - the call to make, e.g. `() => verifier.verify(token)`
 * @example
 * expect(codeOf(() => verifier.verify(token))).toBe('TOKEN_REVOKED');
 */
export function codeOf(verify: () => unknown): AuthErrorCode | 'accepted' {
  try {
    verify();
    return 'accepted';
  } catch (error) {
    if (isAuthError(error)) return error.code;
    throw error;
  }
}
