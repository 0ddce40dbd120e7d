import type { EventOf } from '@veto/events';
import type { Database } from '../data-access/database';
import { revokeRefreshTokensOfSession } from '../data-access/refresh-tokens-repository';
import { revokeSession, type SessionRevokeReason } from '../data-access/sessions-repository';
import { eventEmail, recordEvent } from './record-event';

/**
 * Ends a session server-side: the session is marked revoked, its whole refresh token
 * family with it, and a `session.revoked` event (with the owner's email, which the same update reads) goes to the outbox so every service drops
 * the session's access tokens too. Idempotent: a session that already ended keeps its
 * first reason and records no second event. Pass the event to `context.onEventsRecorded`
 * after the transaction commits.
 *
 * @param tx - the open transaction
 * @param sessionId - the session
 * @param reason - why it ends
 * @param now - revocation time
 * @returns the `session.revoked` event when this call ended the session; `undefined` when unknown or already ended
 * @example
 * await endSession(tx, sid, 'signout', new Date(clock()));
 */
export async function endSession(tx: Database, sessionId: string, reason: SessionRevokeReason, now: Date): Promise<EventOf<'session.revoked'> | undefined> {
  const revoked = await revokeSession(tx, sessionId, reason, now);
  await revokeRefreshTokensOfSession(tx, sessionId, now);
  if (revoked === undefined) {
    return undefined;
  }
  return recordEvent(tx, 'session.revoked', { userId: revoked.userId, ...eventEmail(revoked.email), sessionId, revokedAt: now.toISOString() }, now);
}
