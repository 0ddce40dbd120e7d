import type { VetoEvent } from '@veto/events';
import type { Clock } from '../clock';
import { SignalsError } from '../errors';
import type { ReceiverStream } from './receiver-stream';
import { securityEventId, type SecurityEventSource } from './security-event-id';
import { SECURITY_EVENT_TYPES, type SecurityEventType } from './security-event-types';
import { sessionSubject, streamSubject, userSubject, type EmailLookup, type SubjectIdentifier } from './subject-identifier';

/** The claims of one Security Event Token (RFC 8417 §2.2, profiled by SSF 1.0 §4.1). */
export interface SecurityEventClaims {
  readonly iss: string;
  readonly jti: string;
  /** When the SET was made, whole seconds. */
  readonly iat: number;
  readonly aud: string | readonly string[];
  /** The Veto event id (or the request's id) the SET comes from (SSF 1.0 §4.1.9). */
  readonly txn: string;
  /** When the Veto event happened, whole seconds (RFC 8417 §2.2); absent for verification and stream-updated. */
  readonly toe?: number;
  readonly sub_id: SubjectIdentifier;
  /** Exactly one member (CAEP Interoperability Profile 1.0 §2.8). */
  readonly events: Readonly<Partial<Record<SecurityEventType, Readonly<Record<string, unknown>>>>>;
}

/** What every SET of this transmitter is made with. */
export interface SecurityEventContext {
  /** The transmitter's issuer (`SIGNALS_ISSUER`), identical to its metadata's `issuer` (SSF 1.0 §4.1.6). */
  readonly issuer: string;
  /** The auth service's access-token issuer, the `iss` of `iss_sub` subjects. */
  readonly subjectIssuer: string;
  readonly clock: Clock;
}

/** CAEP 1.0 §2 `reason_admin`: an object of BCP 47 language tags; Veto writes English. */
const english = (text: string) => ({ en: text });

/** Whole seconds since the epoch of an ISO-8601 instant. */
const seconds = (instant: string) => Math.floor(Date.parse(instant) / 1000);

// RFC 8417 §2.2 and SSF 1.0 §4.1: no `sub` (§4.1.2) and no `exp` (§4.1.7), ever.
function claims(
  context: SecurityEventContext,
  stream: ReceiverStream,
  source: { kind: SecurityEventSource; id: string; occurredAt?: string },
  subject: SubjectIdentifier,
  type: SecurityEventType,
  event: Record<string, unknown>,
): SecurityEventClaims {
  return {
    iss: context.issuer,
    jti: securityEventId(source.kind, stream.id, source.id),
    iat: Math.floor(context.clock() / 1000),
    aud: stream.aud,
    txn: source.id,
    ...(source.occurredAt === undefined ? {} : { toe: seconds(source.occurredAt) }),
    sub_id: subject,
    events: { [type]: event },
  };
}

/**
 * The claims of the one SET a Veto event becomes for one receiver's stream:
 *
 * | Veto event | SET event (`events` member) | `sub_id` |
 * | --- | --- | --- |
 * | `user.banned` | RISC `account-disabled`, with `reason_admin` holding the ban's reason when given | the user |
 * | `user.unbanned` | RISC `account-enabled` | the user |
 * | `user.sessions_revoked` | CAEP `session-revoked`: `event_timestamp`, `initiating_entity: admin`, `reason_admin` | the user |
 * | `session.revoked` | CAEP `session-revoked`: `event_timestamp`, `reason_admin` | the session of the user (complex) |
 *
 * @param event - a validated Veto event
 * @param stream - the receiver's stream: its id, `aud` and subject format
 * @param context - issuer, subject issuer and clock
 * @param emailOf - finds a user's email, for streams in `email` format
 * @returns the claims, ready to sign
 * @throws {SignalsError} `UNSUPPORTED_EVENT_TYPE` for an event type without a SET mapping;
 *   `SUBJECT_EMAIL_UNKNOWN` for an `email` stream when the user's address is unknown
 * @example
 * const claims = claimsForEvent(event, stream, { issuer, subjectIssuer, clock: systemClock });
 */
export function claimsForEvent(event: VetoEvent, stream: ReceiverStream, context: SecurityEventContext, emailOf?: EmailLookup): SecurityEventClaims {
  const source = { kind: 'event', id: event.id, occurredAt: event.occurredAt } as const;
  const user = () => userSubject(stream.subjectFormat, { userId: event.data.userId, subjectIssuer: context.subjectIssuer, emailOf });
  switch (event.type) {
    case 'user.banned':
      // RISC 1.0 §2.3 allows `reason` only as "hijacking" or "bulk-account"; the admin's free text
      // is neither, so it travels as `reason_admin` (an additional field, SSF 1.0 §4.2.3).
      return claims(context, stream, source, user(), SECURITY_EVENT_TYPES.accountDisabled, event.data.reason ? { reason_admin: english(event.data.reason) } : {});
    case 'user.unbanned':
      // RISC 1.0 §2.4: no attributes.
      return claims(context, stream, source, user(), SECURITY_EVENT_TYPES.accountEnabled, {});
    case 'user.sessions_revoked':
      // Only the admin API emits it. CAEP 1.0 §3.1.1: event_timestamp is when the revocation
      // occurred; the interoperability profile §3.1 wants a non-empty reason_admin.
      return claims(context, stream, source, user(), SECURITY_EVENT_TYPES.sessionRevoked, {
        event_timestamp: seconds(event.data.revokedAt),
        initiating_entity: 'admin',
        reason_admin: english('An administrator revoked every session of the user'),
      });
    case 'session.revoked':
      // Sign-out (the user) or refresh-token reuse (the system): the event does not say which, so
      // no initiating_entity (optional, CAEP 1.0 §2) rather than a wrong one.
      return claims(context, stream, source, sessionSubject(user(), event.data.sessionId), SECURITY_EVENT_TYPES.sessionRevoked, {
        event_timestamp: seconds(event.data.revokedAt),
        reason_admin: english('The session was revoked: the user signed out, or its refresh token was reused'),
      });
    default:
      throw new SignalsError('UNSUPPORTED_EVENT_TYPE', `No Security Event Token maps the event type ${JSON.stringify((event as { type: unknown }).type)}`);
  }
}

/**
 * The claims of a verification event (SSF 1.0 §8.1.4.1): the stream as `opaque` subject, and the
 * receiver's `state` echoed when it sent one (absent when the transmitter starts the verification).
 *
 * @param stream - the stream being verified
 * @param request - the id of this verification (the `jti` and `txn` come from it) and the receiver's `state`
 * @param context - issuer, subject issuer and clock
 * @example
 * claimsForVerification(stream, { id: randomUUID(), state: body.state }, context);
 */
export function claimsForVerification(stream: ReceiverStream, request: { id: string; state?: string }, context: SecurityEventContext): SecurityEventClaims {
  return claims(
    context,
    stream,
    { kind: 'verification', id: request.id },
    streamSubject(stream.id),
    SECURITY_EVENT_TYPES.verification,
    request.state === undefined ? {} : { state: request.state },
  );
}

/** A stream's status (SSF 1.0 §8.1.2). */
export type StreamStatus = 'enabled' | 'paused' | 'disabled';

/**
 * The claims of a stream-updated event (SSF 1.0 §8.1.5): the stream as `opaque` subject, its new
 * `status`, and the `reason` when given.
 *
 * @param stream - the stream whose status changed
 * @param change - the id of this change (the `jti` and `txn` come from it), the new status and why
 * @param context - issuer, subject issuer and clock
 * @example
 * claimsForStreamUpdate(stream, { id: changeId, status: 'paused', reason: 'Receiver unreachable' }, context);
 */
export function claimsForStreamUpdate(stream: ReceiverStream, change: { id: string; status: StreamStatus; reason?: string }, context: SecurityEventContext): SecurityEventClaims {
  return claims(
    context,
    stream,
    { kind: 'stream-updated', id: change.id },
    streamSubject(stream.id),
    SECURITY_EVENT_TYPES.streamUpdated,
    change.reason === undefined ? { status: change.status } : { status: change.status, reason: change.reason },
  );
}
