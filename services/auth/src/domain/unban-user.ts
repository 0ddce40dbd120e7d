import { setUserBan } from '../data-access/users-repository';
import type { AuthContext } from './auth-context';
import type { AdminActionResult } from './admin-user';
import { eventEmail, recordEvent } from './record-event';
import { runAdminAction } from './run-admin-action';

/**
 * Lifts a ban, in one transaction with its `user.unbanned` outbox event and audit entry.
 * Tokens issued before the ban stay revoked everywhere; new sign-ins work again.
 * Unbanning a user who is not banned changes nothing (`eventId: null`).
 *
 * @param context - the auth context
 * @param input - the acting admin, the target and an optional reason
 * @returns the user and the event id
 * @throws {AuthError} `USER_NOT_FOUND`
 * @example
 * const { user, eventId } = await unbanUser(context, { actorId: admin.id, userId, reason: undefined });
 */
export async function unbanUser(context: AuthContext, input: { actorId: string; userId: string; reason: string | undefined }): Promise<AdminActionResult> {
  return runAdminAction(context, { ...input, action: 'user.unbanned' }, async (tx, user, now) => {
    if (user.bannedAt === null) {
      return { changed: false, user, eventId: null };
    }
    const event = await recordEvent(tx, 'user.unbanned', { userId: user.id, ...eventEmail(user.email) }, now);
    const unbanned = await setUserBan(tx, user.id, null, now);
    return { changed: true, user: unbanned, event, reason: input.reason ?? null };
  });
}
