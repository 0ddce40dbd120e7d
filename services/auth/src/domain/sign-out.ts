import { findRefreshToken } from '../data-access/refresh-tokens-repository';
import type { AuthContext } from './auth-context';
import { endSession } from './end-session';
import { hashRefreshToken } from './refresh-token';

/**
 * Ends the session identified by a refresh token, or else by the session id of a
 * verified access token. Idempotent: nothing to identify, or a session that already
 * ended, is not an error — signing out twice is harmless. Ending a session records a
 * `session.revoked` event in the same transaction.
 *
 * @param context - the auth context
 * @param presented - the refresh token and/or the `sid` of a verified access token
 * @returns the ended session id, or `undefined` when no live session was found
 * @example
 * await signOut(context, { refreshToken: req.cookies.veto_refresh, sessionId: claims?.sid });
 */
export async function signOut(context: AuthContext, presented: { refreshToken?: string | undefined; sessionId?: string | undefined }): Promise<string | undefined> {
  const ended = await context.db.transaction(async (tx) => {
    const fromRefresh = presented.refreshToken === undefined ? undefined : await findRefreshToken(tx, hashRefreshToken(presented.refreshToken));
    const sessionId = fromRefresh?.sessionId ?? presented.sessionId;
    if (sessionId === undefined) {
      return undefined;
    }
    return endSession(tx, sessionId, 'signout', new Date(context.clock()));
  });
  if (ended === undefined) {
    return undefined;
  }
  context.onEventsRecorded([ended]);
  return ended.data.sessionId;
}
