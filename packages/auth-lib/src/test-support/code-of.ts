import { isTokenError, type TokenErrorCode } from '../errors';

/**
 * What a verification did: `'accepted'`, or the code of the TokenError it threw; anything else is rethrown.
 *
 * @param verify - the call to make, e.g. `() => verifier.verify(token)`
 * @example
 * expect(codeOf(() => verifier.verify(token))).toBe('TOKEN_REVOKED');
 */
export function codeOf(verify: () => unknown): TokenErrorCode | 'accepted' {
  try {
    verify();
    return 'accepted';
  } catch (error) {
    if (isTokenError(error)) return error.code;
    throw error;
  }
}
