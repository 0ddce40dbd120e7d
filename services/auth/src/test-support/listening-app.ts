import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** An app served on a free loopback port, for clients in other processes. */
export interface ListeningApp {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly baseUrl: string;
  /** Closes the server and the connections clients keep alive. */
  close(): Promise<void>;
}

/**
 * Serves an express app on a free port of 127.0.0.1, so a client written elsewhere (a Python or
 * ESM child process) reaches it over real HTTP.
 *
 * @param app - the app
 * @returns its base URL and how to close it
 * @example
 * const served = await listenOnFreePort(t.app);
 * const jwksUrl = `${served.baseUrl}/.well-known/jwks.json`;
 */
export async function listenOnFreePort(app: Express): Promise<ListeningApp> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
