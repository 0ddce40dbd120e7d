import Fastify, { type FastifyInstance } from 'fastify';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { signTestToken } from '../testing';
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

const get = (url: string, token?: string) => fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

async function until(check: () => Promise<boolean>): Promise<void> {
  // Bounded: the jest timeout ends a stuck test; each round lets the feed apply what arrived.
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('vetoFastify', () => {
  it('is not ready (503) until the feed caught up, then ready (200)', async () => {
    await stack.createStreams();
    const base = await startService();
    await app?.veto.auth.readiness.caughtUp;
    const after = await get(`${base}/readyz`);
    expect([after.status, await after.json()]).toEqual([200, { ready: true, state: 'ready' }]);
  });

  it('answers 200 with the claims, 401 without a token, 403 for another role, and 401 TOKEN_REVOKED once a ban is published', async () => {
    await stack.createStreams();
    const base = await startService();
    await app?.veto.auth.readiness.caughtUp;
    const token = signTestToken({ sub: 'u1', role: 'user' }, { now: Date.now() - 1000 });

    const ok = await get(`${base}/me`, token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sub: 'u1', role: 'user' });

    const missing = await get(`${base}/me`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect(await missing.json()).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });

    const bad = await get(`${base}/me`, 'not-a-token');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'TOKEN_MALFORMED' });

    const forbidden = await get(`${base}/admin`, token);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await forbidden.json()).toMatchObject({ code: 'FORBIDDEN_ROLE' });

    await stack.ban('u1');
    await until(async () => (await get(`${base}/me`, token)).status !== 200);
    const revoked = await get(`${base}/me`, token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await revoked.json()).toMatchObject({ code: 'TOKEN_REVOKED' });
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
