import { createHash } from 'node:crypto';

/** What a SET was made from: a Veto event, a verification request, or a change of stream status. */
export type SecurityEventSource = 'event' | 'verification' | 'stream-updated';

/**
 * The `jti` of the SET made from `sourceId` for one stream: SHA-256 over a versioned, unambiguous
 * encoding of (source kind, stream id, source id), the first 128 bits in hex. Deterministic, so a
 * SET encoded again for a redelivered event keeps its `jti` and the receiver's deduplication
 * (RFC 8417 §2.2, RFC 8936 acknowledgements by `jti`) sees one event; distinct per stream, so
 * two receivers never share one; the kind keeps a verification id that equals an event id apart.
 *
 * @param source - what kind of thing the SET was made from
 * @param streamId - the receiver's stream
 * @param sourceId - the Veto event id, or the id of the verification request or status change
 * @returns 32 lower-case hex characters
 * @example
 * securityEventId('event', stream.id, event.id); // 'a3f0…' (the same on every call)
 */
export function securityEventId(source: SecurityEventSource, streamId: string, sourceId: string): string {
  return createHash('sha256')
    .update(JSON.stringify(['veto-set-1', source, streamId, sourceId]))
    .digest('hex')
    .slice(0, 32);
}
