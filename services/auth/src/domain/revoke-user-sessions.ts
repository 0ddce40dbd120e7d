import { revokeRefreshTokensOfUser } from '../data-access/refresh-tokens-repository';
import { revokeSessionsOfUser } from '../data-access/sessions-repository';
import type { AuthContext } from './auth-context';
import type { AdminActionResult } from './admin-user';
import { eventEmail, recordEvent } from './record-event';
import { runAdminAction } from './run-admin-action';

/**
 * Signs a user out everywhere, in one transaction: every session and refresh token is
 * revoked, a `user.sessions_revoked` event (a watermark at this instant) goes to the outbox,
 * and an audit entry is written. The account stays usable: the user can sign in again.
 *
 * @param context - the auth context
 * @param input - the acting admin, the target and an optional reason
 * @returns the user and the event id
 * @throws {AuthError} `USER_NOT_FOUND`
 * @example
 * const { eventId } = await revokeUserSessions(context, { actorId: admin.id, userId, reason: 'lost laptop' });
 */
export async function revokeUserSessions(context: AuthContext, input: { actorId: string; userId: string; reason: string | undefined }): Promise<AdminActionResult> {
  return runAdminAction(context, { ...input, action: 'user.sessions_revoked' }, async (tx, user, now) => {
    await revokeSessionsOfUser(tx, user.id, 'sessions_revoked', now);
    await revokeRefreshTokensOfUser(tx, user.id, now);
    const event = await recordEvent(tx, 'user.sessions_revoked', { userId: user.id, ...eventEmail(user.email), revokedAt: now.toISOString() }, now);
    return { changed: true, user, event, reason: input.reason ?? null };
  });
}
