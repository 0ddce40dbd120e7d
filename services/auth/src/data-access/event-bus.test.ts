import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDelayProxy, startNatsServer, type DelayProxy, type NatsServerHandle } from '@veto/events/testing';
import pino from 'pino';
import { connectEventBus, type EventBus } from './event-bus';

// A server that gives clients half a second to authenticate, reached through a proxy that
// delays the first connections by a second: the "Authentication Timeout" of a busy machine.
const logger = pino({ level: 'silent' });
let dir: string;
let nats: NatsServerHandle;
const buses: EventBus[] = [];
const proxies: DelayProxy[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veto-auth-bus-'));
  const configFile = join(dir, 'nats.conf');
  await writeFile(configFile, 'authorization { timeout: 0.5, user: auth, password: $AUTH_PASSWORD }\n');
  nats = await startNatsServer({ configFile, env: { AUTH_PASSWORD: 'auth-pw' } });
});
afterEach(async () => {
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(async () => {
  await nats.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function connect(servers: string, password: string): { bus: EventBus; fatal: unknown[] } {
  const fatal: unknown[] = [];
  const bus = connectEventBus({ servers: [servers], user: 'auth', password, stream: {}, logger, onAvailable: () => undefined, onFatal: (error) => fatal.push(error) });
  buses.push(bus);
  return { bus, fatal };
}

describe('connectEventBus', () => {
  it('keeps dialing through authentication timeouts in a row and becomes available', async () => {
    const slow = await startDelayProxy({ targetPort: nats.port, delayMs: 1000, slowConnections: 3 });
    proxies.push(slow);
    const { bus, fatal } = connect(slow.url, 'auth-pw');
    await bus.available;
    expect(bus.isAvailable()).toBe(true);
    expect(slow.connections).toBe(4);
    expect(fatal).toEqual([]);
  });

  it('reports refused credentials as fatal with CONNECT_FAILED', async () => {
    const { bus, fatal } = connect(nats.url, 'wrong');
    await expect(bus.available).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    expect(fatal).toEqual([expect.objectContaining({ code: 'CONNECT_FAILED' })]);
  });
});
