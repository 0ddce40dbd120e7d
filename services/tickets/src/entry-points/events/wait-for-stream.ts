import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { Logger, NatsConnection } from '@veto/events';

/** Options of {@link waitForStream}. */
export interface WaitForStreamOptions {
  /** The stream to wait for, `AUTH` by default. */
  stream?: string;
  /** How long to wait before giving up. */
  timeoutMs: number;
  /** Pause between two looks; 500 ms by default. */
  pollMs?: number;
  logger: Logger;
}

/**
 * Waits until a stream exists, for a consume-only NATS user that may look streams up but not
 * create them: the auth service creates `AUTH`, possibly after this service started.
 *
 * @param nc - a connection whose user may publish `$JS.API.STREAM.INFO.<stream>`
 * @param options - `stream`, `timeoutMs`, `pollMs`, `logger`
 * @throws Error naming the stream when it does not appear within `timeoutMs`; the server's error when the look-up itself is refused
 * @example
 * await waitForStream(nc, { timeoutMs: 60_000, logger });
 */
export async function waitForStream(nc: NatsConnection, options: WaitForStreamOptions): Promise<void> {
  const stream = options.stream ?? 'AUTH';
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
    if (Date.now() >= deadline) throw new Error(`stream ${stream} does not exist after ${options.timeoutMs} ms; the auth service creates it (MANAGE_STREAMS=false)`);
    if (!logged) {
      options.logger.info({ stream }, 'waiting for the stream, which the auth service creates');
      logged = true;
    }
    await sleep(options.pollMs ?? 500);
  }
}
