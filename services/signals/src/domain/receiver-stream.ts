/**
 * How a stream names the user an event is about (RFC 9493 §3.2): `iss_sub`, the auth service's
 * issuer and the user id, or `email`. The CAEP Interoperability Profile 1.0 §2.5 makes receivers
 * accept both; a transmitter needs one.
 */
export const SUBJECT_FORMATS = Object.freeze(['iss_sub', 'email'] as const);

/** One of {@link SUBJECT_FORMATS}. */
export type SubjectFormat = (typeof SUBJECT_FORMATS)[number];

/** What the SET encoder needs to know of a receiver's stream (SSF 1.0 §8.1.1). */
export interface ReceiverStream {
  /** The stream's `stream_id`: the `opaque` subject of its verification and stream-updated events. */
  readonly id: string;
  /** The stream's `aud`: the receiver, as a string or several strings of one receiver (SSF 1.0 §4.1.8). */
  readonly aud: string | readonly string[];
  readonly subjectFormat: SubjectFormat;
}
