import type { EventType } from '@veto/events';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from './security-event-types';

const SET_TYPE_OF: Readonly<Partial<Record<EventType, SecurityEventType>>> = Object.freeze({
  'user.banned': SECURITY_EVENT_TYPES.accountDisabled,
  'user.unbanned': SECURITY_EVENT_TYPES.accountEnabled,
  'user.sessions_revoked': SECURITY_EVENT_TYPES.sessionRevoked,
  'session.revoked': SECURITY_EVENT_TYPES.sessionRevoked,
});

/**
 * The SET event type a Veto event becomes (the member `claimsForEvent` puts in `events`), or
 * `undefined` for a Veto event no receiver is told about. Streams are chosen by it: a stream gets
 * the event when its `events_delivered` lists this URI.
 *
 * @param type - the Veto event type
 * @example
 * setTypeOfEvent('user.banned'); // 'https://schemas.openid.net/secevent/risc/event-type/account-disabled'
 */
export function setTypeOfEvent(type: string): SecurityEventType | undefined {
  return Object.hasOwn(SET_TYPE_OF, type) ? SET_TYPE_OF[type as EventType] : undefined;
}
