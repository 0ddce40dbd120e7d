/**
 * The event type URIs this transmitter sends, each the single member of a SET's `events` claim.
 * RISC 1.0 §2.3 and §2.4, CAEP 1.0 §3.1, SSF 1.0 §8.1.4.1 and §8.1.5.
 */
export const SECURITY_EVENT_TYPES = Object.freeze({
  accountDisabled: 'https://schemas.openid.net/secevent/risc/event-type/account-disabled',
  accountEnabled: 'https://schemas.openid.net/secevent/risc/event-type/account-enabled',
  sessionRevoked: 'https://schemas.openid.net/secevent/caep/event-type/session-revoked',
  verification: 'https://schemas.openid.net/secevent/ssf/event-type/verification',
  streamUpdated: 'https://schemas.openid.net/secevent/ssf/event-type/stream-updated',
} as const);

/** One of {@link SECURITY_EVENT_TYPES}. */
export type SecurityEventType = (typeof SECURITY_EVENT_TYPES)[keyof typeof SECURITY_EVENT_TYPES];
