import Fastify, { type FastifyInstance } from 'fastify';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { expectProtection, get } from '../test-support/protection-checks';
import { startVetoStack, type VetoStack } from '../test-support/veto-stack';
import { vetoFastify, type VetoFastifyOptions } from './veto-fastify';

let server: NatsServerHandle;
let stack: VetoStack;
let app: FastifyInstance | undefined;

beforeAll(async () => {
  server = await startNatsServer();
});
beforeEach(async () => {
  stack = await startVetoStack(server);
});
afterEach(async () => {
  await app?.close();
  app = undefined;
  await stack.close();
});
afterAll(() => server.cleanup());

/** The service under test, protected by the one register (the lines between the markers: at most 10). */
async function startService(options: Partial<VetoFastifyOptions> = {}): Promise<string> {
  // protection: begin
  app = Fastify();
  await app.register(vetoFastify, { ...stack.options, ...options });
  app.get('/me', { preHandler: app.veto.requireAuth() }, async (request) => request.user);
  app.get('/admin', { preHandler: app.veto.requireRole('admin') }, async () => ({ admin: true }));
  app.get('/readyz', app.veto.readiness);
  // protection: end
  return app.listen({ port: 0, host: '127.0.0.1' });
}

describe('vetoFastify', () => {
  it('is not ready (503) until the feed caught up, then ready (200)', async () => {
    await stack.createStreams();
    const base = await startService();
    await app?.veto.auth.readiness.caughtUp;
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([200, { ready: true, state: 'ready' }]);
  });

  it('answers 200 with the claims, 401 without or with a bad token, 403 for another role, and 401 TOKEN_REVOKED once a ban is published', async () => {
    await stack.createStreams();
    const base = await startService();
    await app?.veto.auth.readiness.caughtUp;
    await expectProtection(base, stack);
  });

  it('closes the feed and the NATS connection on app.close()', async () => {
    await stack.createStreams();
    await startService();
    const instance = app;
    await instance?.veto.auth.readiness.caughtUp;
    await instance?.close();
    app = undefined;
    expect(instance?.veto.auth.nc.isClosed()).toBe(true);
    expect(instance?.veto.auth.readiness.state).toBe('closed');
    await expect(instance?.veto.auth.closed).resolves.toBeUndefined();
  });

  it('reports a feed that stops for good: onFailure is called and readiness answers 503', async () => {
    await stack.createStreams();
    const failures: unknown[] = [];
    const base = await startService({ onFailure: (err) => failures.push(err) });
    await app?.veto.auth.readiness.caughtUp;

    await app?.veto.auth.nc.close();
    await expect(app?.veto.auth.closed).rejects.toThrow('ended unexpectedly');
    expect(failures).toHaveLength(1);
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([503, { ready: false, state: 'failed' }]);
  });
});
