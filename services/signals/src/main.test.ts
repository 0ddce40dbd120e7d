import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJwksServer, testJwks, type JwksServer } from '@veto/auth-lib/testing';
import { createEvent, ensureStreams, EventPublisher } from '@veto/events';
import { connectTo, eventually, startDelayProxy, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import { testKeyPem } from './test-support/test-keys';
import { startMain } from './test-support/run-main';

// The real entry point in its own process: configuration errors stop the start naming the
// variable, a good start serves the metadata, and SIGTERM stops it cleanly.
let dir: string;
let server: NatsServerHandle;
// The auth service's keys, which admin tokens are checked against.
let jwks: JwksServer;

beforeAll(async () => {
  [dir, server, jwks] = await Promise.all([mkdtemp(join(tmpdir(), 'veto-signals-main-')), startNatsServer(), startJwksServer(testJwks())]);
  // The auth service creates the stream; this service only waits for it.
  const nc = await connectTo(server);
  await ensureStreams(nc);
  await nc.close();
});
afterAll(async () => {
  await Promise.all([server.stop(), jwks.close()]);
  await rm(dir, { recursive: true, force: true });
});

const baseEnv = () => ({ HOST: '127.0.0.1', PORT: '0', SIGNALS_ISSUER: 'https://signals.example.com', DATA_DIR: join(dir, 'data'), NATS_URL: server.url, JWKS_URL: jwks.url });

it.each([
  ['an RSA key of 1024 bits', () => testKeyPem({ rsaBits: 1024 })],
  ['an EC key', () => testKeyPem({ ec: true })],
])('refuses to start with %s, naming SIGNALS_PRIVATE_KEY_FILE', async (_name, pem) => {
  const file = join(dir, `bad-${String(Math.random()).slice(2)}.pem`);
  await writeFile(file, pem());
  const result = await startMain({ ...baseEnv(), SIGNALS_PRIVATE_KEY_FILE: file }).exited;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('signals: configuration error (SIGNALS_PRIVATE_KEY_FILE)');
});

it('refuses to start without a key outside local mode, naming SIGNALS_PRIVATE_KEY_FILE', async () => {
  const result = await startMain(baseEnv()).exited;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('signals: configuration error (SIGNALS_PRIVATE_KEY_FILE)');
});

it('refuses to start with an http issuer outside local mode, naming SIGNALS_ISSUER', async () => {
  const result = await startMain({ ...baseEnv(), SIGNALS_ISSUER: 'http://signals.example.com' }).exited;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('signals: configuration error (SIGNALS_ISSUER)');
});

it('starts with a key file, serves its metadata and JWKS, and stops on SIGTERM', async () => {
  const file = join(dir, 'good.pem');
  await writeFile(file, testKeyPem());
  const run = startMain({ ...baseEnv(), SIGNALS_PRIVATE_KEY_FILE: file });
  const { port, kid } = await run.waitForLog('signals service listening');
  const base = `http://127.0.0.1:${String(port)}`;
  const metadata = (await (await fetch(`${base}/.well-known/ssf-configuration`)).json()) as Record<string, unknown>;
  expect(metadata).toMatchObject({ issuer: 'https://signals.example.com', jwks_uri: 'https://signals.example.com/jwks.json' });
  const jwks = (await (await fetch(`${base}/jwks.json`)).json()) as { keys: { kid: string }[] };
  expect(jwks.keys.map((jwk) => jwk.kid)).toEqual([kid]);
  // Ready once its durable consumer is set up (it listens before: /readyz says 503 `starting` meanwhile).
  await waitFor('/readyz to answer 200', async () => (await fetch(`${base}/readyz`)).status === 200, 60_000);
  const ready = await fetch(`${base}/readyz`);
  expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { signingKey: 'loaded', authConsumer: 'running' } } });
  run.child.kill('SIGTERM');
  expect((await run.exited).code).toBe(0);
});

it('keeps running and handles bans after NATS is killed (-9) and restarted while its AUTH consumer and revocation feed set themselves up', async () => {
  // A server of its own, reached through a proxy that holds its first connection's answers back by
  // a second: the set-up requests are still in flight when the server is killed, and lost with it.
  const nats = await startNatsServer();
  const slow = await startDelayProxy({ targetPort: nats.port, delayMs: 1000, slowConnections: 1 });
  const setup = await connectTo(nats);
  await ensureStreams(setup);
  await setup.close();
  const file = join(dir, 'restart.pem');
  await writeFile(file, testKeyPem());
  const run = startMain({ ...baseEnv(), DATA_DIR: join(dir, 'restart-data'), NATS_URL: slow.url, SIGNALS_PRIVATE_KEY_FILE: file, LOG_LEVEL: 'debug' });
  try {
    const retried = Promise.all(['work-queue', 'fan-out'].map((kind) => run.waitForLog(`${kind} subscription could not start yet (JetStream did not answer); retrying`)));
    const started = Promise.all([run.waitForLog('work-queue subscription started'), run.waitForLog('fan-out caught up')]);
    const { port } = await run.waitForLog('signals service listening');
    await nats.restart({ kill: true });
    await retried;
    await started;

    const publisher = await connectTo(nats);
    const banned = createEvent('user.banned', { userId: 'banned-after-the-restart', revokedAt: new Date().toISOString() }, { source: 'auth' });
    const stored = run.waitForLine((line) => line.includes('"msg":"SETs stored"') && line.includes(banned.id));
    await eventually(() => new EventPublisher(publisher).publish(banned), 60_000);
    await publisher.close();
    await stored;
    const ready = await fetch(`http://127.0.0.1:${String(port)}/readyz`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { signingKey: 'loaded', authConsumer: 'running' } } });
    expect(run.child.exitCode).toBeNull();
  } finally {
    run.child.kill('SIGTERM');
    const stopped = await run.exited;
    await slow.close();
    await nats.cleanup();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).not.toContain('failed');
  }
});
