import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startJwksServer, testJwks, type JwksServer } from '@veto/auth-lib/testing';
import { ensureStreams } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
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
  const ready = await fetch(`${base}/readyz`);
  expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready', checks: { signingKey: 'loaded', authConsumer: 'running' } } });
  run.child.kill('SIGTERM');
  expect((await run.exited).code).toBe(0);
});
