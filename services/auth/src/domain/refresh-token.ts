import { createHash, randomBytes } from 'node:crypto';

/**
 * Hashes a refresh token for storage and lookup. SHA-256 without salt is enough:
 * the token is 256 random bits, so there is nothing to guess or precompute.
 *
 * @param token - the opaque token as the client holds it
 * @returns hex SHA-256
 * @example
 * const row = await lockRefreshToken(tx, hashRefreshToken(presented));
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Generates a new opaque refresh token (256 random bits, base64url) and its hash.
 *
 * @returns the token for the client and the hash for the database
 * @example
 * const { token, hash } = generateRefreshToken();
 */
export function generateRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashRefreshToken(token) };
}
