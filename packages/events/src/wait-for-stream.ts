import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EventError } from './errors';
import type { Logger } from './logger';
import { DEFAULT_STREAM } from './subjects';

/** Options of {@link waitForStream}. */
export interface WaitForStreamOptions {
  /** The stream to wait for, {@link DEFAULT_STREAM} by default. */
  stream?: string;
  /** How long to wait before giving up. */
  timeoutMs: number;
  /** Pause between two looks; 500 ms by default. */
  pollMs?: number;
  /** Told once (info) that the wait began. */
  logger?: Logger;
}

/**
 * Waits until a stream exists, for a consume-only NATS user that may look streams up but not
 * create them: the auth service creates `AUTH`, possibly after this service started. Without it, a
 * consumer started before the auth service would see its subscription fail with `stream-missing`.
 *
 * @param nc - a connection whose user may publish `$JS.API.STREAM.INFO.<stream>`
 * @param options - `stream`, `timeoutMs`, `pollMs`, `logger`
 * @throws EventError `SUBSCRIPTION_FAILED` naming the stream when it does not appear within `timeoutMs`; the server's error when the look-up itself is refused
 * @example
 * await waitForStream(nc, { timeoutMs: 60_000, logger });
 */
export async function waitForStream(nc: NatsConnection, options: WaitForStreamOptions): Promise<void> {
  const stream = options.stream ?? DEFAULT_STREAM;
  const jsm = await jetstreamManager(nc);
  const deadline = Date.now() + options.timeoutMs;
  let logged = false;
  for (;;) {
    try {
      await jsm.streams.info(stream);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    }
    if (Date.now() >= deadline) throw new EventError('SUBSCRIPTION_FAILED', `stream ${stream} does not exist after ${options.timeoutMs} ms; the auth service creates it`);
    if (!logged) {
      options.logger?.info({ stream }, 'waiting for the stream, which the auth service creates');
      logged = true;
    }
    await sleep(options.pollMs ?? 500);
  }
}
