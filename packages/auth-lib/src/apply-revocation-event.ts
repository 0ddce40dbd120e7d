import type { VetoEvent } from '@veto/events';
import type { RevocationCache } from './revocation-cache';

/**
 * Applies one event to a revocation cache: a ban and "revoke all sessions" set the user's
 * watermark, a session revocation marks the session. An unban changes nothing: tokens issued
 * before the ban stay dead, and new sign-ins are issued after the watermark anyway.
 *
 * @param cache - the cache to update
 * @param event - a validated event from the fan-out
 * @returns whether the cache changed (false for unbans, duplicates, older and stale events)
 * @throws TypeError when the event's `revokedAt` is not a date (validated events always have one)
 * @example
 * for await (const { event } of subscription) applyRevocationEvent(cache, event);
 */
export function applyRevocationEvent(cache: Pick<RevocationCache, 'revokeUser' | 'revokeSession'>, event: VetoEvent): boolean {
  switch (event.type) {
    case 'user.banned':
    case 'user.sessions_revoked':
      return cache.revokeUser(event.data.userId, Date.parse(event.data.revokedAt));
    case 'session.revoked':
      return cache.revokeSession(event.data.sessionId, Date.parse(event.data.revokedAt));
    case 'user.unbanned':
      return false;
    default: {
      const unknown: never = event;
      throw new TypeError(`unhandled event type ${(unknown as { type: string }).type}`);
    }
  }
}
