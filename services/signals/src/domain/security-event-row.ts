import type { NewSecurityEvent } from '../data-access/security-events-repository';
import type { Clock } from '../clock';
import type { SecurityEventClaims } from './security-event-claims';
import { signSecurityEvent } from './sign-security-event';
import type { SigningKey } from './signing-key';

/**
 * Signs SET claims and shapes the row that stores them for their stream: the one way every SET
 * (from a Veto event, a verification request or a status change) enters the outbox.
 *
 * @param streamId - the stream the SET is for
 * @param claims - from `claimsForEvent`, `claimsForVerification` or `claimsForStreamUpdate`
 * @param key - the transmitter's signing key
 * @param clock - when the row is written
 * @returns the row for `insertSecurityEvent`
 * @example
 * await insertSecurityEvent(tx, securityEventRow(stream.id, claimsForVerification(stream, request, context), key, clock));
 */
export function securityEventRow(streamId: string, claims: SecurityEventClaims, key: SigningKey, clock: Clock): NewSecurityEvent {
  const [eventType = ''] = Object.keys(claims.events);
  return { streamId, jti: claims.jti, eventType, sourceId: claims.txn, token: signSecurityEvent(claims, key), createdAt: new Date(clock()) };
}
