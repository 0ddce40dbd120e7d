import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import { createEvent, EventPublisher, parseEnforcementReceipt, receiptSubject, type EnforcementReceipt, type NatsConnection } from '@veto/events';
import { connectTo, startDelayProxy, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { openDatabase } from '@veto/storage';
import { sql } from 'drizzle-orm';
import { waitFor } from '@veto/test-kit';
import { schema } from './data-access/schema';
import { startMain } from './test-support/run-main';

// The real entry point in its own process: configuration errors, start-up on PGlite with keys
// from a file, readiness, the API, a ban through the bus, and a graceful shutdown.
let dir: string;
let server: NatsServerHandle;
let nc: NatsConnection;
let keysFile: string;
// On PostgreSQL the spawned service gets its own schema, dropped after the file.
const databaseUrl = process.env.DATABASE_URL;
const schemaName = `tickets_main_${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  [dir, server] = await Promise.all([mkdtemp(join(tmpdir(), 'veto-tickets-main-')), startNatsServer()]);
  nc = await connectTo(server);
  keysFile = join(dir, 'jwks.json');
  await writeFile(keysFile, JSON.stringify(testJwks()));
});
afterAll(async () => {
  if (databaseUrl) {
    const database = await openDatabase({ databaseUrl, schemaName, schema });
    await database.db.execute(sql.raw(`DROP SCHEMA "${schemaName}" CASCADE`));
    await database.close();
  }
  await nc.close();
  await Promise.all([server.cleanup(), rm(dir, { recursive: true, force: true })]);
});

const baseEnv = () => ({
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: join(dir, 'data'),
  NATS_URL: server.url,
  JWT_PUBLIC_KEYS_FILE: keysFile,
  JWT_ISSUER: TEST_ISSUER,
  JWT_AUDIENCE: TEST_AUDIENCE,
  ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schemaName } : {}),
});

it('refuses to start with a bad variable, naming it', async () => {
  const result = await startMain({ ...baseEnv(), CLOCK_SKEW_SECONDS: 'lots' }).exited;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('configuration error (CLOCK_SKEW_SECONDS)');
});

it('refuses to start with an unreadable key file, naming JWT_PUBLIC_KEYS_FILE', async () => {
  const result = await startMain({ ...baseEnv(), JWT_PUBLIC_KEYS_FILE: join(dir, 'nope.json') }).exited;
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('configuration error (JWT_PUBLIC_KEYS_FILE)');
});

it('starts, becomes ready, serves tickets, unlists a banned seller’s tickets, reports the ban applied under its INSTANCE_ID, and stops on SIGTERM', async () => {
  const receipts: EnforcementReceipt[] = [];
  const receiptSub = nc.subscribe(receiptSubject('tickets'));
  void (async () => {
    for await (const msg of receiptSub) receipts.push(parseEnforcementReceipt(msg.data));
  })();
  await nc.flush();
  const instanceId = `tickets-main-${randomUUID().slice(0, 8)}`;
  const run = startMain({ ...baseEnv(), INSTANCE_ID: instanceId });
  const { port } = await run.waitForLog('tickets service listening');
  await run.waitForLog('revocation feed caught up; ready');
  const base = `http://127.0.0.1:${String(port)}`;
  expect((await fetch(`${base}/readyz`)).status).toBe(200);

  const seller = randomUUID();
  const created = await fetch(`${base}/api/tickets`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${signTestToken({ sub: seller })}` },
    body: JSON.stringify({ title: 'Final', price: 2500 }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };

  const banned = createEvent('user.banned', { userId: seller, revokedAt: new Date().toISOString() }, { source: 'auth' });
  await new EventPublisher(nc).publish(banned);
  const viewer = { authorization: `Bearer ${signTestToken({ sub: randomUUID() })}` };
  await waitFor('the ticket to be unlisted', async () => (await fetch(`${base}/api/tickets/${id}`, { headers: viewer })).status === 404);
  const mine = () => receipts.filter((receipt) => receipt.instanceId === instanceId);
  await waitFor('a receipt for the ban', () => mine().some((receipt) => receipt.applied.some((entry) => entry.eventId === banned.id && entry.live)));

  run.child.kill('SIGTERM');
  const stopped = await run.exited;
  expect(stopped.code).toBe(0);
  expect(stopped.stdout).toContain('"msg":"stopped"');
  await nc.flush();
  expect(mine().at(-1)).toMatchObject({ service: 'tickets', state: 'stopped', lastEventId: banned.id });
  receiptSub.unsubscribe();
});

describe('reaching NATS at start-up', () => {
  const retried = (run: ReturnType<typeof startMain>) => run.waitForLog('NATS connection attempt failed; retrying');

  it('waits for a NATS server that starts after it, logging each attempt, then becomes ready', async () => {
    const late = await startNatsServer();
    await late.stop();
    const run = startMain({ ...baseEnv(), NATS_URL: late.url });
    try {
      expect(await retried(run)).toMatchObject({ level: 40, code: 'ECONNREFUSED', attempt: 1 });
      await late.restart();
      await run.waitForLog('revocation feed caught up; ready');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      await late.cleanup();
    }
  });

  it('survives handshakes slower than the server’s authentication timeout, then becomes ready', async () => {
    // A server giving clients half a second to authenticate, behind a proxy that delays its first
    // two connections by a second: the "Authentication Timeout" of a busy machine, twice in a row.
    const configFile = join(dir, 'auth-timeout.conf');
    await writeFile(configFile, 'authorization { timeout: 0.5, user: tickets, password: $TICKETS_PASSWORD }\n');
    const strict = await startNatsServer({ configFile, env: { TICKETS_PASSWORD: 'tickets-pw' } });
    const slow = await startDelayProxy({ targetPort: strict.port, delayMs: 1000, slowConnections: 2 });
    const run = startMain({ ...baseEnv(), NATS_URL: slow.url, NATS_USER: 'tickets', NATS_PASSWORD: 'tickets-pw' });
    try {
      expect(await retried(run)).toMatchObject({ code: 'AUTHENTICATION_TIMEOUT' });
      await run.waitForLog('revocation feed caught up; ready');
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      await slow.close();
      await strict.cleanup();
    }
  });

  it('exits with one fatal line, no stack, once NATS_CONNECT_TIMEOUT_MS has passed', async () => {
    const absent = await startNatsServer();
    await absent.cleanup();
    const result = await startMain({ ...baseEnv(), NATS_URL: absent.url, NATS_CONNECT_TIMEOUT_MS: '1000' }).exited;
    expect(result.code).toBe(1);
    // The last failure is ECONNREFUSED, unless another test on a busy machine took the freed port
    // meanwhile (then the handshake fails): what is pinned is the one line and its form.
    expect(result.stderr).toMatch(
      /^tickets: failed to start \(CONNECT_FAILED\): cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: gave up after 1000 ms \(\d+ attempts in \d+ ms, last: [A-Z_]+\)\n$/,
    );
    expect(result.stdout).toMatch(/"code":"[A-Z_]+"/);
  });

  it('refuses a bad NATS_CONNECT_TIMEOUT_MS, naming it', async () => {
    const result = await startMain({ ...baseEnv(), NATS_CONNECT_TIMEOUT_MS: 'soon' }).exited;
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('configuration error (NATS_CONNECT_TIMEOUT_MS)');
  });
});
