import type { Database } from '../data-access/database';
import { revokeRefreshTokensOfSession } from '../data-access/refresh-tokens-repository';
import { revokeSession, type SessionRevokeReason } from '../data-access/sessions-repository';

/**
 * Ends a session server-side: the session is marked revoked and its whole refresh
 * token family with it. Idempotent: a session that already ended keeps its first reason.
 *
 * @param tx - database or transaction
 * @param sessionId - the session
 * @param reason - why it ends
 * @param now - revocation time
 * @returns whether this call ended the session (false when unknown or already ended)
 * @example
 * await endSession(tx, sid, 'signout', new Date(clock()));
 */
export async function endSession(tx: Database, sessionId: string, reason: SessionRevokeReason, now: Date): Promise<boolean> {
  const revoked = await revokeSession(tx, sessionId, reason, now);
  await revokeRefreshTokensOfSession(tx, sessionId, now);
  return revoked !== undefined;
}
