/** Every code an {@link TokenError} can carry; the README's error table lists each one. */
export const TOKEN_ERROR_CODES = [
  'TOKEN_MISSING',
  'TOKEN_MALFORMED',
  'TOKEN_INVALID_SIGNATURE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'TOKEN_LIFETIME_TOO_LONG',
  'TOKEN_WRONG_ISSUER',
  'TOKEN_WRONG_AUDIENCE',
  'TOKEN_WRONG_ALGORITHM',
  'TOKEN_UNKNOWN_KEY',
  'TOKEN_REVOKED',
  'FORBIDDEN_ROLE',
  'REVOCATION_NOT_READY',
  'REVOCATION_UNAVAILABLE',
  'JWKS_UNAVAILABLE',
  'JWKS_INVALID',
] as const;

/** A stable, machine-readable reason for an authentication failure. */
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

/**
 * The one error class of @veto/auth-lib: callers branch on `code`, never on the message.
 *
 * @param code - the stable reason
 * @param message - a human-readable detail that never contains the token
 * @param options - `cause` is passed through to `Error`
 * @example
 * try { verifier.verify(token); } catch (err) { if (err instanceof TokenError && err.code === 'TOKEN_REVOKED') { ... } }
 */
export class TokenError extends Error {
  readonly code: TokenErrorCode;

  constructor(code: TokenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Tells whether a value is an {@link TokenError}, optionally with a given code.
 *
 * @param value - anything caught
 * @param code - when given, the error must carry this code
 * @example
 * if (isTokenError(err, 'TOKEN_EXPIRED')) refreshAndRetry();
 */
export function isTokenError(value: unknown, code?: TokenErrorCode): value is TokenError {
  return value instanceof TokenError && (code === undefined || value.code === code);
}
