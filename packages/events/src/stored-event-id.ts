import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { EventError } from './errors';

/**
 * Reads which event a stream stores at a sequence: its `Nats-Msg-Id` (the event id). A
 * publisher that recorded the acknowledged sequence of an event can ask whether the stream
 * still holds it, which tells an intact stream from one recreated or purged since: a new
 * stream has nothing, or another event, at that sequence.
 *
 * @param nc - a connection with JetStream enabled
 * @param stream - the stream name, e.g. `AUTH`
 * @param seq - the stream sequence the publish acknowledgement gave
 * @returns the event id stored there; `undefined` when the stream or the message does not exist
 * @throws EventError `STREAM_SETUP_FAILED` when JetStream does not answer (try again later)
 * @example
 * const intact = (await storedEventId(nc, 'AUTH', row.streamSeq)) === row.id;
 */
export async function storedEventId(nc: NatsConnection, stream: string, seq: number): Promise<string | undefined> {
  try {
    const jsm = await jetstreamManager(nc);
    const message = await jsm.streams.getMessage(stream, { seq });
    return message?.header?.get('Nats-Msg-Id') || undefined;
  } catch (cause) {
    if (cause instanceof JetStreamApiError && cause.code === JetStreamApiCodes.StreamNotFound) {
      return undefined;
    }
    throw new EventError('STREAM_SETUP_FAILED', `could not read stream ${stream} at sequence ${seq}: ${(cause as Error).message}`, { cause });
  }
}
