import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/** Options of {@link startDelayProxy}. */
export interface DelayProxyOptions {
  /** The loopback port to forward to (a test nats-server's `port`). */
  targetPort: number;
  /** How long the server's bytes (and its closing the connection) are held back on a slow connection. */
  delayMs: number;
  /** How many connections, from the first, are slow; every one by default. Later ones pass at once. */
  slowConnections?: number;
  /** Which connections are slow, by their number from 1; overrides `slowConnections`. */
  isSlow?: (connection: number) => boolean;
}

/** A TCP proxy on a free loopback port in front of a test server. */
export interface DelayProxy {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops accepting and cuts every open connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy that holds back what the server sends on its first `slowConnections`
 * connections by `delayMs`: to the client it looks like a busy machine finishing the handshake
 * late, so a server's `authorization.timeout` runs out before the client's CONNECT arrives.
 *
 * @param options - target port, delay, how many (or which) connections are slow
 * @returns the proxy; connect to its `url`
 * @example
 * const proxy = await startDelayProxy({ targetPort: server.port, delayMs: 1000, slowConnections: 1 });
 * const nc = await connectWithRetry({ servers: proxy.url }, { giveUpAfterMs: 30_000 }); // 2nd attempt connects
 * await proxy.close();
 */
export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const { targetPort, delayMs, slowConnections = Infinity } = options;
  const isSlow = options.isSlow ?? ((connection: number) => connection <= slowConnections);
  const sockets = new Set<Socket>();
  let connections = 0;
  const track = (socket: Socket): Socket => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    return socket;
  };
  const server = createServer((client) => {
    connections++;
    const slow = isSlow(connections);
    const later = (action: () => void): void => {
      if (slow) setTimeout(action, delayMs).unref();
      else action();
    };
    const upstream = track(createConnection(targetPort, '127.0.0.1'));
    track(client);
    upstream.on('data', (bytes: Buffer) => later(() => client.writable && client.write(bytes)));
    client.on('data', (bytes: Buffer) => upstream.writable && upstream.write(bytes));
    upstream.on('close', () => later(() => client.destroy()));
    client.on('close', () => upstream.destroy());
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the delay proxy has no port');
  return {
    url: `nats://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
