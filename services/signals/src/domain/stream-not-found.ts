import { SignalsError } from '../errors';

/**
 * The one answer for a stream a receiver cannot see: nonexistent, malformed, deleted or another
 * receiver's are all the same 404, so a receiver learns nothing about other receivers' streams.
 *
 * @param streamId - the id the request named
 * @example
 * if (row === undefined) throw streamNotFound(query.stream_id);
 */
export function streamNotFound(streamId: string): SignalsError {
  return new SignalsError('STREAM_NOT_FOUND', `No stream ${JSON.stringify(streamId.slice(0, 64))} for this receiver`);
}
