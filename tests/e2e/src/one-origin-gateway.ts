import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, PUBLIC_ROUTES } from '@veto/local-stack';

/** The local stack's gateway in front of a deployment, listening on a free port. */
export interface OneOriginGateway {
  /** `http://127.0.0.1:<port>`: the one origin the browser sees. */
  readonly url: string;
  close(): Promise<void>;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Starts `@veto/local-stack`'s gateway with its public routes (and `/admin`, the console, to auth),
 * the tickets routes going to `ticketsUrl`, so a browser talks to one origin as in production.
 *
 * @example
 * const gateway = await startOneOriginGateway({ authUrl: auth.url, ticketsUrl: tickets[0].url });
 */
export async function startOneOriginGateway(upstreams: { authUrl: string; ticketsUrl: string }): Promise<OneOriginGateway> {
  const routes = [
    ...PUBLIC_ROUTES.map((route) => route),
    ...(PUBLIC_ROUTES.some((route) => route.prefix === '/admin') ? [] : [{ prefix: '/admin', service: 'auth' as const }]),
  ].map(({ prefix, service }) => ({ prefix, name: service, upstream: service === 'auth' ? upstreams.authUrl : upstreams.ticketsUrl }));
  const server: Server = createGateway({ routes, logger: quiet });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
