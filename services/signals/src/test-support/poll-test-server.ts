import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createErrorHandler } from '@veto/service-kit';
import express from 'express';
import pino from 'pino';
import { HTTP_ERRORS } from '../entry-points/http/problem-details';
import { createPollRoutes, type PollRoutesDeps } from '../entry-points/http/poll-routes';

/**
 * The poll routes behind the service's error handler, listening on a random port (app.ts is
 * another part's; this mounts them the way it will).
 *
 * @example
 * const server = await startPollTestServer({ db, pending, metrics, clock: Date.now, logger, maxWaitMs: 60_000, maxEvents: 100 });
 * await fetch(`${server.url}/ssf/poll/${stream.id}`, { method: 'POST', ... });
 */
export async function startPollTestServer(deps: Omit<PollRoutesDeps, 'logger'> & { logger?: PollRoutesDeps['logger'] }): Promise<{ url: string; close(): Promise<void> }> {
  const logger = deps.logger ?? pino({ level: 'silent' });
  const app = express();
  app.use(createPollRoutes({ ...deps, logger }));
  app.use(createErrorHandler({ logger, errors: HTTP_ERRORS }));
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/**
 * POSTs a poll request with a receiver's credential.
 *
 * @example
 * const { status, body } = await poll(server.url, receiver.credential, stream.id, { returnImmediately: true });
 */
export async function poll(
  url: string,
  credential: string,
  streamId: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; contentType: string | null }> {
  const response = await fetch(`${url}/ssf/poll/${streamId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, contentType: response.headers.get('content-type') };
}
