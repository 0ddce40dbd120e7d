import { revokeRefreshTokensOfUser } from '../data-access/refresh-tokens-repository';
import { revokeSessionsOfUser } from '../data-access/sessions-repository';
import { setUserBan } from '../data-access/users-repository';
import { AuthError } from '../errors';
import type { AuthContext } from './auth-context';
import type { AdminActionResult } from './admin-user';
import { eventEmail, recordEvent } from './record-event';
import { runAdminAction } from './run-admin-action';

/**
 * Bans a user, in one transaction: sets `bannedAt`/`banReason`, revokes every session and
 * refresh token of the user, writes a `user.banned` event (whose `revokedAt` is the ban
 * time, to the millisecond) to the outbox, and an audit entry. Idempotent: banning a banned
 * user changes nothing and answers with the first ban's event id.
 *
 * @param context - the auth context
 * @param input - the acting admin, the target and the reason
 * @returns the banned user and the event id
 * @throws {AuthError} `CANNOT_BAN_SELF`, `USER_NOT_FOUND`
 * @example
 * const { user, eventId } = await banUser(context, { actorId: admin.id, userId, reason: 'fraud' });
 */
export async function banUser(context: AuthContext, input: { actorId: string; userId: string; reason: string }): Promise<AdminActionResult> {
  if (input.actorId === input.userId) {
    throw new AuthError('CANNOT_BAN_SELF', 'An admin cannot ban their own account');
  }
  return runAdminAction(context, { ...input, action: 'user.banned' }, async (tx, user, now) => {
    if (user.bannedAt !== null) {
      return { changed: false, user, eventId: user.banEventId };
    }
    await revokeSessionsOfUser(tx, user.id, 'user_banned', now);
    await revokeRefreshTokensOfUser(tx, user.id, now);
    const event = await recordEvent(tx, 'user.banned', { userId: user.id, ...eventEmail(user.email), reason: input.reason, revokedAt: now.toISOString() }, now);
    const banned = await setUserBan(tx, user.id, { bannedAt: now, reason: input.reason, eventId: event.id }, now);
    return { changed: true, user: banned, event, reason: input.reason };
  });
}
