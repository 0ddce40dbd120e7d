import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import type { Logger, NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import { waitForStream } from './wait-for-stream';

describe('waitForStream', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  const lines: string[] = [];
  const logger: Logger = { debug: () => undefined, info: (_fields, message) => lines.push(message), warn: () => undefined, error: () => undefined };
  const streamName = () => `WAIT_${randomBytes(4).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connectTo(server);
  });
  afterAll(async () => {
    await nc.close();
    await server.cleanup();
  });

  it('returns at once when the stream exists', async () => {
    const stream = streamName();
    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });

    await expect(waitForStream(nc, { stream, timeoutMs: 0, logger })).resolves.toBeUndefined();
  });

  it('waits for a stream created after it started looking', async () => {
    const stream = streamName();
    lines.length = 0;
    const waiting = waitForStream(nc, { stream, timeoutMs: 60_000, pollMs: 20, logger });
    await waitFor('the waiting line', () => lines.includes('waiting for the stream, which the auth service creates'));

    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });

    await expect(waiting).resolves.toBeUndefined();
  });

  it('gives up after the timeout, naming the stream', async () => {
    const stream = streamName();
    await expect(waitForStream(nc, { stream, timeoutMs: 0, logger })).rejects.toThrow(`stream ${stream} does not exist`);
  });
});
