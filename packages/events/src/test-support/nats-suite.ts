import type { NatsConnection } from '@nats-io/nats-core';
import { connectTo } from '../connect-to';
import { startNatsServer, type NatsServerHandle } from '../nats-server-harness';

/** A server and a connection shared by one test file; the fields are set in `beforeAll`. */
export interface NatsSuite {
  server: NatsServerHandle;
  nc: NatsConnection;
}

/** Starts one nats-server for the calling `describe` block and tears it down after it. */
export function useNatsServer(): NatsSuite {
  const suite = {} as NatsSuite;
  beforeAll(async () => {
    suite.server = await startNatsServer();
    suite.nc = await connectTo(suite.server);
  });
  afterAll(async () => {
    await suite.nc?.close();
    await suite.server?.cleanup();
  });
  return suite;
}
