import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsServerHandle } from './nats-server-harness';

/**
 * Connects to a test server so that the connection survives `server.restart()`:
 * unlimited reconnect attempts with a short wait between them.
 *
 * @param server - a handle from `startNatsServer`
 * @param options - connection options overriding the defaults
 * @throws Error from `connect` when the server is not reachable
 * @example
 * const nc = await connectTo(server, { name: 'test-publisher' });
 */
export function connectTo(server: Pick<NatsServerHandle, 'url'>, options: NodeConnectionOptions = {}): Promise<NatsConnection> {
  return connect({ servers: server.url, reconnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 100, ...options });
}
