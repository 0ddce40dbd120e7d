import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Resolves when the connection next reports that it reconnected. Call it before
 * restarting the server: requests sent while disconnected are not replayed, so a test
 * that talks to JetStream right after `restart()` must first await this.
 *
 * @param nc - the connection to watch
 * @throws Error when the connection closes before it reconnects
 * @example
 * const back = nextReconnect(nc);
 * await server.restart();
 * await back;
 */
export async function nextReconnect(nc: NatsConnection): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'reconnect') return;
  }
  throw new Error('connection closed before it reconnected');
}
