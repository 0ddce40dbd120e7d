import type { Database } from '../data-access/database';
import { findSession } from '../data-access/sessions-repository';
import { findUserById } from '../data-access/users-repository';
import { AuthError } from '../errors';
import { toPublicUser, type PublicUser } from './public-user';

/**
 * Loads the user of a verified access token, checking server-side that its session
 * is still live: an access token outlives sign-out until it expires otherwise.
 *
 * @param db - database or transaction
 * @param claims - `sub` and `sid` of a verified token
 * @returns the user
 * @throws {AuthError} `SESSION_REVOKED` when the session ended, does not exist or belongs to someone else; `USER_BANNED` when the user is banned
 * @example
 * const user = await getSessionUser(db, { userId: claims.sub, sessionId: claims.sid });
 */
export async function getSessionUser(db: Database, claims: { userId: string; sessionId: string }): Promise<PublicUser> {
  const session = await findSession(db, claims.sessionId);
  if (session === undefined || session.revokedAt !== null || session.userId !== claims.userId) {
    throw new AuthError('SESSION_REVOKED', 'The session has ended');
  }
  const user = await findUserById(db, claims.userId);
  if (user === undefined) {
    throw new AuthError('SESSION_REVOKED', 'The session has ended');
  }
  if (user.bannedAt !== null) {
    throw new AuthError('USER_BANNED', 'This account is banned');
  }
  return toPublicUser(user);
}
