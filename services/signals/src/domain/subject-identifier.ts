import { SignalsError } from '../errors';
import type { SubjectFormat } from './receiver-stream';

/** RFC 9493 §3.2.3: a subject by its issuer and its subject id, as in OpenID Connect ID tokens. */
export interface IssSubSubject {
  readonly format: 'iss_sub';
  readonly iss: string;
  readonly sub: string;
}

/** RFC 9493 §3.2.2. */
export interface EmailSubject {
  readonly format: 'email';
  readonly email: string;
}

/** RFC 9493 §3.2.4: an identifier only the transmitter and the receiver give a meaning to. */
export interface OpaqueSubject {
  readonly format: 'opaque';
  readonly id: string;
}

/** SSF 1.0 §3.3: several members naming one principal, here a session of a user. */
export interface SessionSubject {
  readonly format: 'complex';
  readonly user: UserSubject;
  readonly session: OpaqueSubject;
}

/** A user, in a stream's subject format. */
export type UserSubject = IssSubSubject | EmailSubject;

/** Any `sub_id` this transmitter writes. */
export type SubjectIdentifier = UserSubject | OpaqueSubject | SessionSubject;

/**
 * Finds a user's email address. Veto events carry only the user id, so a stream in `email` format
 * needs the caller to know the addresses (from the auth service, later); a pure lookup keeps the
 * encoder free of I/O.
 */
export type EmailLookup = (userId: string) => string | undefined;

/** Where a user subject is built from. */
export interface UserSubjectSource {
  readonly userId: string;
  /** The auth service's access-token issuer: `iss` of an `iss_sub` subject. */
  readonly subjectIssuer: string;
  readonly emailOf?: EmailLookup;
}

/**
 * The user an event is about, in the stream's format.
 *
 * @param format - the stream's subject format
 * @param source - the user id, the subject issuer, and an email lookup for the `email` format
 * @returns the subject identifier
 * @throws {SignalsError} `SUBJECT_EMAIL_UNKNOWN` when the format is `email` and no address is known
 *   for the user: sending the event under another format than the receiver chose would be worse
 * @example
 * userSubject('iss_sub', { userId, subjectIssuer: 'https://auth.example.com' });
 * // { format: 'iss_sub', iss: 'https://auth.example.com', sub: userId }
 */
export function userSubject(format: SubjectFormat, source: UserSubjectSource): UserSubject {
  if (format === 'iss_sub') {
    return { format: 'iss_sub', iss: source.subjectIssuer, sub: source.userId };
  }
  const email = source.emailOf?.(source.userId);
  if (email === undefined || email === '') {
    throw new SignalsError('SUBJECT_EMAIL_UNKNOWN', `No email address is known for user ${source.userId}; the stream asks for email subjects`);
  }
  return { format: 'email', email };
}

/**
 * A session of a user (SSF 1.0 §3.3, CAEP 1.0 §3.1: "the revocation event applies to any session
 * derived from matching those combined claims"). The session id is Veto's `sid` claim, opaque to
 * receivers that hold no Veto token; the user member is always there, so a receiver that does not
 * understand `session` revokes every session of the user: the safe side.
 *
 * @param user - the user, in the stream's format
 * @param sessionId - the session, as the `sid` claim of its access tokens
 * @example
 * sessionSubject(userSubject('iss_sub', source), sessionId);
 */
export function sessionSubject(user: UserSubject, sessionId: string): SessionSubject {
  return { format: 'complex', user, session: { format: 'opaque', id: sessionId } };
}

/**
 * The stream itself, the subject of verification and stream-updated events (SSF 1.0 §8.1.4.1 and
 * §8.1.5: format `opaque`, `id` the `stream_id`).
 *
 * @param streamId - the stream's `stream_id`
 * @example
 * streamSubject(stream.id); // { format: 'opaque', id: stream.id }
 */
export function streamSubject(streamId: string): OpaqueSubject {
  return { format: 'opaque', id: streamId };
}
