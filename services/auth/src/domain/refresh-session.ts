import type { VetoEvent } from '@veto/events';
import { findSession } from '../data-access/sessions-repository';
import { lockRefreshToken, markRefreshTokenRotated } from '../data-access/refresh-tokens-repository';
import { lockUser } from '../data-access/users-repository';
import { AuthError } from '../errors';
import type { AuthContext } from './auth-context';
import { endSession } from './end-session';
import { hashRefreshToken } from './refresh-token';
import { issueSessionTokens, type SessionTokens } from './start-session';

type Outcome = { readonly kind: 'rotated'; readonly tokens: SessionTokens } | { readonly kind: 'failed'; readonly error: AuthError; readonly event?: VetoEvent | undefined };

/**
 * Rotates a refresh token: the presented one is marked used and a new one (and a new
 * access token) is issued for the same session. Runs in one transaction with the
 * token row locked, so two concurrent refreshes with one token cannot both succeed:
 * the second sees a rotated token. Presenting a rotated token again means a copy
 * of it exists somewhere else (theft), so the whole session is revoked — and that
 * revocation (and its `session.revoked` event) is committed before the error is thrown.
 *
 * @param context - the auth context
 * @param presentedToken - the opaque refresh token from the cookie or the body
 * @returns the new tokens
 * @throws {AuthError} `REFRESH_TOKEN_REUSED` (and the session is revoked), `REFRESH_TOKEN_EXPIRED`,
 *   `REFRESH_TOKEN_INVALID` (unknown, revoked, or its session ended), `USER_BANNED`
 * @example
 * const tokens = await refreshSession(context, req.cookies.veto_refresh);
 */
export async function refreshSession(context: AuthContext, presentedToken: string): Promise<SessionTokens> {
  const tokenHash = hashRefreshToken(presentedToken);
  const outcome = await context.db.transaction(async (tx): Promise<Outcome> => {
    const invalid: Outcome = { kind: 'failed', error: new AuthError('REFRESH_TOKEN_INVALID', 'The refresh token is not valid') };
    const row = await lockRefreshToken(tx, tokenHash);
    if (row === undefined) {
      return invalid;
    }
    const now = new Date(context.clock());
    if (row.rotatedAt !== null) {
      const event = await endSession(tx, row.sessionId, 'refresh_token_reused', now);
      return { kind: 'failed', error: new AuthError('REFRESH_TOKEN_REUSED', 'The refresh token was already used; the session is revoked'), event };
    }
    if (row.revokedAt !== null) {
      return invalid;
    }
    if (row.expiresAt.getTime() <= now.getTime()) {
      return { kind: 'failed', error: new AuthError('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired') };
    }
    const session = await findSession(tx, row.sessionId);
    // Locked for share: a ban of this user waits for this refresh, or this refresh for the ban.
    const user = session === undefined ? undefined : await lockUser(tx, session.userId, 'share');
    if (session === undefined || session.revokedAt !== null || user === undefined) {
      return invalid;
    }
    if (user.bannedAt !== null) {
      return { kind: 'failed', error: new AuthError('USER_BANNED', 'This account is banned') };
    }
    const { refreshTokenHash, ...tokens } = await issueSessionTokens(context, tx, user, session.id);
    await markRefreshTokenRotated(tx, tokenHash, refreshTokenHash, now);
    return { kind: 'rotated', tokens };
  });
  if (outcome.kind === 'failed') {
    if (outcome.event !== undefined) {
      context.onEventsRecorded([outcome.event]);
    }
    throw outcome.error;
  }
  return outcome.tokens;
}
