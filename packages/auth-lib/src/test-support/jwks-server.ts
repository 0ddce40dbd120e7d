import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP server answering every request with whatever `respond` currently returns. */
export interface JwksServer {
  readonly url: string;
  readonly requests: number;
  respond: () => { status: number; body: string };
  /** Stops listening; resolves at once when already stopped. */
  close(): Promise<void>;
}

/**
 * Starts a JWKS endpoint on a random port of 127.0.0.1, for tests of key loading and refetching.
 *
 * @param initial - the document served until `respond` is replaced
 * @example
 * const server = await startJwksServer(testJwks());
 * server.respond = () => ({ status: 503, body: '' });
 */
export async function startJwksServer(initial: unknown): Promise<JwksServer> {
  let requests = 0;
  const handle: JwksServer = {
    url: '',
    get requests() {
      return requests;
    },
    respond: () => ({ status: 200, body: JSON.stringify(initial) }),
    // Idempotent: a test may stop the server itself (the auth service going down) before afterEach does.
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve()))),
  };
  const server: Server = createServer((_req, res) => {
    requests += 1;
    const { status, body } = handle.respond();
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  Object.defineProperty(handle, 'url', { value: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  return handle;
}
