import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectWithRetry, natsErrorCode } from './connect-with-retry';
import { startDelayProxy, type DelayProxy } from './delay-proxy';
import { isEventError } from './errors';
import { eventually } from './eventually';
import { startNatsServer, type NatsServerHandle } from './nats-server-harness';
import { nextReconnect } from './next-reconnect';
import { recordingLogger } from './test-support/recording-logger';

// A server that wants credentials and gives a client half a second to send them: a delay proxy
// holding its bytes back for a second makes the "Authentication Timeout" of a busy machine.
let dir: string;
let server: NatsServerHandle;
const credentials = { user: 'svc', pass: 'secret-pw' };
const proxies: DelayProxy[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veto-connect-retry-'));
  const configFile = join(dir, 'nats.conf');
  await writeFile(configFile, 'authorization { timeout: 0.5, user: svc, password: $TEST_PASSWORD }\n');
  server = await startNatsServer({ configFile, env: { TEST_PASSWORD: credentials.pass } });
});
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
});
afterAll(async () => {
  await server.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function proxy(slowConnections: number): Promise<DelayProxy> {
  const started = await startDelayProxy({ targetPort: server.port, delayMs: 1000, slowConnections });
  proxies.push(started);
  return started;
}

const failedAttempts = (logger: ReturnType<typeof recordingLogger>) =>
  logger.lines.filter((line) => line.level === 'warn' && line.message === 'NATS connection attempt failed; retrying').map((line) => line.context.code);

describe('connectWithRetry', () => {
  it('connects once a server that was not there yet starts, logging each refused attempt', async () => {
    await server.stop();
    const logger = recordingLogger();
    const connecting = connectWithRetry({ servers: server.url, ...credentials }, { giveUpAfterMs: 60_000, retryDelaysMs: [100], logger });
    await eventually(async () => expect(failedAttempts(logger)).toContain('ECONNREFUSED'));
    await server.restart();

    const nc = await connecting;
    expect(nc.isClosed()).toBe(false);
    expect(failedAttempts(logger).every((code) => code === 'ECONNREFUSED')).toBe(true);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'info', message: 'connected to NATS', context: { attempts: failedAttempts(logger).length + 1 } });
    await nc.close();
  });

  it('rides out a handshake slower than the server’s authentication timeout and connects on a later attempt', async () => {
    const slow = await proxy(2);
    const logger = recordingLogger();
    // Two slow handshakes in a row: the client alone would have given up for good after the second.
    const nc = await connectWithRetry({ servers: slow.url, ...credentials }, { giveUpAfterMs: 60_000, retryDelaysMs: [0], logger });
    expect(failedAttempts(logger)).toEqual(['AUTHENTICATION_TIMEOUT', 'AUTHENTICATION_TIMEOUT']);
    expect(slow.connections).toBe(3);
    await nc.flush();
    await nc.close();
  });

  it('keeps reconnecting when reconnects are cut off by the server’s authentication timeout twice in a row', async () => {
    const flaky = await startDelayProxy({ targetPort: server.port, delayMs: 1000, isSlow: (connection) => connection === 2 || connection === 3 });
    proxies.push(flaky);
    const nc = await connectWithRetry({ servers: flaky.url, ...credentials, maxReconnectAttempts: -1, reconnectTimeWait: 50 }, { giveUpAfterMs: 60_000 });
    const back = nextReconnect(nc);
    await server.restart();
    await back;
    expect(flaky.connections).toBeGreaterThanOrEqual(4);
    await nc.flush();
    await nc.close();
  });

  it('gives up after the bound with CONNECT_FAILED naming the servers, the attempts and the last failure', async () => {
    const slow = await proxy(Infinity);
    const logger = recordingLogger();
    const error: unknown = await connectWithRetry({ servers: slow.url, ...credentials }, { giveUpAfterMs: 1500, retryDelaysMs: [0], logger }).catch((caught: unknown) => caught);
    expect(isEventError(error, 'CONNECT_FAILED')).toBe(true);
    expect((error as Error).message).toContain(slow.url);
    expect((error as Error).message).toMatch(/gave up after 1500 ms \(\d+ attempts in \d+ ms, last: (AUTHENTICATION_TIMEOUT|HANDSHAKE_TIMEOUT)\)/);
    expect(logger.lines.at(-1)).toMatchObject({ level: 'error', context: { code: 'CONNECT_FAILED' } });
  });

  it('does not retry refused credentials', async () => {
    const logger = recordingLogger();
    const error: unknown = await connectWithRetry({ servers: server.url, user: 'svc', pass: 'wrong' }, { giveUpAfterMs: 60_000, logger }).catch((caught: unknown) => caught);
    expect(isEventError(error, 'CONNECT_FAILED')).toBe(true);
    expect(logger.lines.find((line) => line.level === 'error')?.context).toMatchObject({ attempts: 1, lastCode: 'AUTHORIZATION_VIOLATION' });
  });

  it('stops trying when aborted', async () => {
    await server.stop();
    const aborting = new AbortController();
    const logger = recordingLogger();
    const connecting = connectWithRetry({ servers: server.url }, { giveUpAfterMs: Infinity, retryDelaysMs: [60_000], logger, signal: aborting.signal });
    await eventually(async () => expect(failedAttempts(logger)).toHaveLength(1));
    aborting.abort();
    await expect(connecting).rejects.toMatchObject({ code: 'CONNECT_FAILED' });
    await server.restart();
  });

  it('throws TypeError for invalid retry options', async () => {
    await expect(connectWithRetry({ servers: server.url }, { giveUpAfterMs: -1 })).rejects.toThrow(TypeError);
    await expect(connectWithRetry({ servers: server.url }, { giveUpAfterMs: 1000, retryDelaysMs: [] })).rejects.toThrow(TypeError);
    await expect(connectWithRetry({ servers: server.url }, { giveUpAfterMs: 1000, handshakeTimeoutMs: 0 })).rejects.toThrow(TypeError);
  });

  it.each([
    [Object.assign(new Error('connection refused', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }), { name: 'ConnectionError' }), 'ECONNREFUSED'],
    [Object.assign(new Error('timeout'), { name: 'TimeoutError' }), 'HANDSHAKE_TIMEOUT'],
    ['not an error', 'UNKNOWN'],
  ])('names the failure %# by a code', (error, code) => {
    expect(natsErrorCode(error)).toBe(code);
  });
});
