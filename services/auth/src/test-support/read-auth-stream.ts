import { PassThrough } from 'node:stream';
import { parseArchiveLine, recordStream, type NatsConnection, type VetoEvent } from '@veto/events';

/** One message of the `AUTH` stream as a test checks it. */
export interface StoredEvent {
  readonly seq: number;
  readonly subject: string;
  readonly msgId: string | undefined;
  readonly event: VetoEvent;
}

/**
 * Reads every message stored in the `AUTH` stream, through the public record API of
 * `@veto/events` (which keeps headers), so a test sees exactly what JetStream holds.
 *
 * @param nc - a connection to the test server
 * @example
 * expect((await readAuthStream(nc)).map((m) => m.msgId)).toEqual([eventId]);
 */
export async function readAuthStream(nc: NatsConnection): Promise<StoredEvent[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  await recordStream(nc, { stream: 'AUTH', writable: out });
  return text
    .split('\n')
    .map((line, index) => parseArchiveLine(line, index + 1))
    .flatMap((entry) => {
      if (entry === undefined || entry.payload.kind !== 'event') {
        return [];
      }
      return [{ seq: entry.seq ?? 0, subject: entry.subject ?? '', msgId: entry.headers?.['Nats-Msg-Id']?.[0], event: entry.payload.event }];
    });
}
