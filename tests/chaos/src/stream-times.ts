import { PassThrough } from 'node:stream';
import { connectTo, type NatsServerHandle } from '@veto/events/testing';
import { parseArchiveLine, recordStream } from '@veto/events';

/**
 * When each event was stored in the `AUTH` stream as it stands now, in `performance.now()` time:
 * recorded with `veto-stream`'s own recorder after a scenario, from the stream's store times. A
 * republished event (after a lost store) counts from its copy in the current stream, which is the
 * one a consumer rebuilding its cache reads. Read afterwards rather than by a live subscriber: a
 * plain subscriber on `auth.>` would answer for a missing stream (a publish then times out instead
 * of failing at once) and would see publishes that no stream stored.
 *
 * @returns event id → when the stream stored it
 * @example
 * const storedAt = await streamStoreTimes(cluster.nats);
 */
export async function streamStoreTimes(server: NatsServerHandle): Promise<Map<string, number>> {
  const nc = await connectTo(server, { name: 'chaos-stream-times' });
  const writable = new PassThrough();
  const chunks: Buffer[] = [];
  writable.on('data', (chunk: Buffer) => chunks.push(chunk));
  try {
    await recordStream(nc, { writable });
  } finally {
    await nc.close();
  }
  const storedAt = new Map<string, number>();
  Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .forEach((text, index) => {
      const entry = parseArchiveLine(text, index + 1);
      if (entry?.payload.kind !== 'event' || entry.time === undefined) return;
      const id = entry.payload.event.id;
      if (!storedAt.has(id)) storedAt.set(id, Date.parse(entry.time) - performance.timeOrigin);
    });
  return storedAt;
}
