import type { Server } from 'node:http';
import express from 'express';
import { eventually, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { readinessReport } from '../readiness-report';
import { expectProtection, get } from '../test-support/protection-checks';
import { startVetoStack, type VetoStack } from '../test-support/veto-stack';
import { vetoExpress, type VetoExpress } from './veto-express';

let server: NatsServerHandle;
let stack: VetoStack;
let veto: VetoExpress | undefined;
let http: Server | undefined;

beforeAll(async () => {
  server = await startNatsServer();
});
beforeEach(async () => {
  stack = await startVetoStack(server);
});
afterEach(async () => {
  await veto?.close();
  veto = undefined;
  await new Promise((resolve) => (http === undefined ? resolve(undefined) : http.close(resolve)));
  http = undefined;
  await stack.close();
});
afterAll(() => server.cleanup());

/** The service under test, protected by the one call (the lines between the markers: at most 10). */
async function startService(options: Partial<Parameters<typeof vetoExpress>[0]> = {}): Promise<string> {
  // protection: begin
  veto = await vetoExpress({ ...stack.options, ...options });
  const app = express();
  app.use(veto.authenticate);
  app.get('/me', veto.requireAuth(), (req, res) => res.json(req.auth));
  app.get('/admin', veto.requireRole('admin'), (_req, res) => res.json({ admin: true }));
  app.get('/readyz', veto.readiness);
  app.use(veto.errorHandler);
  // protection: end
  http = app.listen(0);
  await new Promise((resolve) => http?.once('listening', resolve));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

describe('vetoExpress', () => {
  it('is not ready (503) until the feed caught up, then ready (200)', async () => {
    await stack.createStreams();
    veto = await vetoExpress(stack.options);
    // Checked before anything else runs: catching up takes a round trip to NATS (I/O), and the
    // continuation of the one call runs before any I/O callback, so this is never a race.
    expect(readinessReport(veto.auth.readiness)).toEqual({ status: 503, body: { ready: false, state: 'catching-up' } });
    await veto.close();

    const base = await startService();
    await veto.auth.readiness.caughtUp;
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([200, { ready: true, state: 'ready' }]);
  });

  it('started before the auth service created the event stream, waits for it and becomes ready', async () => {
    const lines: string[] = [];
    const logger = { debug: () => undefined, info: (_fields: object, message: string) => void lines.push(message), warn: () => undefined, error: () => undefined };
    const starting = vetoExpress({ ...stack.options, logger });
    await eventually(async () => expect(lines).toContain('waiting for the stream, which the auth service creates'));
    await stack.createStreams();
    veto = await starting;
    await veto.auth.readiness.caughtUp;
    expect(readinessReport(veto.auth.readiness)).toEqual({ status: 200, body: { ready: true, state: 'ready' } });
  });

  it('answers 200 with the claims, 401 without or with a bad token, 403 for another role, and 401 TOKEN_REVOKED once a ban is published', async () => {
    await stack.createStreams();
    const base = await startService();
    await veto?.auth.readiness.caughtUp;
    await expectProtection(base, stack);
  });

  it('is not ready after close(), which closes the NATS connection and can be called again', async () => {
    await stack.createStreams();
    const base = await startService();
    await veto?.auth.readiness.caughtUp;
    expect((await get(`${base}/readyz`)).status).toBe(200);

    await veto?.close();
    await veto?.close();
    expect(veto?.auth.nc.isClosed()).toBe(true);
    await expect(veto?.auth.closed).resolves.toBeUndefined();
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([503, { ready: false, state: 'closed' }]);
  });

  it('reports a feed that stops for good: onFailure is called, closed rejects and readiness turns false', async () => {
    await stack.createStreams();
    const failures: unknown[] = [];
    const base = await startService({ onFailure: (err) => failures.push(err) });
    await veto?.auth.readiness.caughtUp;

    await veto?.auth.nc.close();
    await expect(veto?.auth.closed).rejects.toThrow('ended unexpectedly');
    expect(failures).toHaveLength(1);
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([503, { ready: false, state: 'failed' }]);
  });
});
