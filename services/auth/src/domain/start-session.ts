import { randomUUID } from 'node:crypto';
import type { Database } from '../data-access/database';
import { insertRefreshToken } from '../data-access/refresh-tokens-repository';
import type { UserRow } from '../data-access/schema';
import { insertSession } from '../data-access/sessions-repository';
import type { AuthContext } from './auth-context';
import { issueAccessToken } from './issue-access-token';
import { toPublicUser, type PublicUser } from './public-user';
import { generateRefreshToken } from './refresh-token';

/** The tokens handed to a client when a session starts or is refreshed. */
export interface SessionTokens {
  readonly user: PublicUser;
  readonly sessionId: string;
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
}

/**
 * Issues a refresh token for a session and an access token for its user.
 *
 * @param context - clock, token settings and refresh lifetime
 * @param tx - the transaction the session change runs in
 * @param user - the session's user
 * @param sessionId - the session
 * @returns the new tokens
 * @example
 * return issueSessionTokens(context, tx, user, row.sessionId);
 */
export async function issueSessionTokens(
  context: Pick<AuthContext, 'clock' | 'accessTokens' | 'refreshTokenTtlSeconds'>,
  tx: Database,
  user: UserRow,
  sessionId: string,
): Promise<SessionTokens & { refreshTokenHash: string }> {
  const nowMs = context.clock();
  const refresh = generateRefreshToken();
  const refreshTokenExpiresAt = new Date(nowMs + context.refreshTokenTtlSeconds * 1000);
  await insertRefreshToken(tx, { tokenHash: refresh.hash, sessionId, family: sessionId, now: new Date(nowMs), expiresAt: refreshTokenExpiresAt });
  const access = issueAccessToken(context.accessTokens, { userId: user.id, sessionId, role: user.role });
  return {
    user: toPublicUser(user),
    sessionId,
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    refreshToken: refresh.token,
    refreshTokenHash: refresh.hash,
    refreshTokenExpiresAt,
  };
}

/**
 * Starts a new session for a user: a session row, its first refresh token and an access token.
 *
 * @param context - the auth context
 * @param tx - database or transaction
 * @param user - who signs in
 * @returns the new tokens
 * @example
 * const tokens = await startSession(context, tx, user);
 */
export async function startSession(context: AuthContext, tx: Database, user: UserRow): Promise<SessionTokens> {
  const sessionId = randomUUID();
  await insertSession(tx, { id: sessionId, userId: user.id, now: new Date(context.clock()) });
  const { refreshTokenHash: _hash, ...tokens } = await issueSessionTokens(context, tx, user, sessionId);
  return tokens;
}
