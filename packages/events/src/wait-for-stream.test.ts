import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { isEventError } from './errors';
import type { Logger } from './logger';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectTo } from './connect-to';
import { eventually } from './eventually';
import { startNatsServer, type NatsServerHandle } from './nats-server-harness';
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
    await eventually(async () => expect(lines).toContain('waiting for the stream, which the auth service creates'));

    await (await jetstreamManager(nc)).streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });

    await expect(waiting).resolves.toBeUndefined();
  });

  it('gives up after the timeout, naming the stream', async () => {
    const stream = streamName();
    const error: unknown = await waitForStream(nc, { stream, timeoutMs: 0, logger }).catch((e: unknown) => e);
    expect(isEventError(error, 'SUBSCRIPTION_FAILED')).toBe(true);
    expect((error as Error).message).toContain(`stream ${stream} does not exist`);
  });
});
