import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isEventError } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { waitFor } from '@veto/test-kit';
import { readAuthStream } from './test-support/read-auth-stream';
import { runScript, startScript } from './test-support/run-script';

// The real entry point in its own process: configuration errors, local start-up with a
// generated key, the admin bootstrap, the HTTP API, and a graceful shutdown.
let dataDir: string;
// Stopped before the service starts: the service must start and serve without the bus.
let nats: NatsServerHandle;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'veto-auth-main-'));
  nats = await startNatsServer();
  await nats.stop();
});
afterAll(async () => {
  await nats.cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

async function post(url: string, body: unknown, token?: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
}

const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

describe('main', () => {
  it('refuses to start in production without a signing key, naming JWT_PRIVATE_KEY', async () => {
    const result = await runScript('main.ts', [], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('JWT_PRIVATE_KEY');
  });

  it('refuses to start with a bad variable, naming it', async () => {
    const result = await runScript('main.ts', [], { VETO_ENV: 'local', DATA_DIR: dataDir, ACCESS_TOKEN_TTL_SECONDS: 'soon' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('ACCESS_TOKEN_TTL_SECONDS');
  });

  it('starts locally with a generated key and the configured admin while NATS is down, serves the API, publishes a ban once NATS is up, stops on SIGTERM, and reuses the key', async () => {
    const env = {
      ...CHEAP_ARGON2,
      VETO_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      NATS_URL: nats.url,
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_PASSWORD: 'root password 1',
    };
    const first = startScript('main.ts', [], env);
    const admin = JSON.parse(await first.waitForLine((line) => line.includes('ADMIN_EMAIL'))) as { outcome: string };
    expect(admin.outcome).toBe('created');
    const listening = JSON.parse(await first.waitForLine((line) => line.includes('listening'))) as { port: number; kid: string };
    expect(statSync(join(dataDir, 'signing-key.pem')).mode & 0o777).toBe(0o600);

    const base = `http://127.0.0.1:${listening.port}`;
    const signIn = await fetch(`${base}/api/users/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'root@example.com', password: 'root password 1' }),
    });
    expect(signIn.status).toBe(200);
    const { accessToken } = (await signIn.json()) as { accessToken: string };
    const me = await fetch(`${base}/api/users/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(await me.json()).toEqual({ user: { id: expect.any(String), email: 'root@example.com', role: 'admin' } });
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    const ada = (await (await post(`${base}/api/users/signup`, { email: 'ada@example.com', password: 'correct horse battery' })).json()) as { user: { id: string } };
    const ban = await post(`${base}/api/admin/users/${ada.user.id}/ban`, { reason: 'spam' }, accessToken);
    expect(ban.status).toBe(200);
    const { eventId } = (await ban.json()) as { eventId: string };
    await nats.restart();
    const nc = await connectTo(nats);
    try {
      await waitFor(
        'the ban on the AUTH stream',
        async () => {
          try {
            return (await readAuthStream(nc)).length > 0;
          } catch (error) {
            // The stream does not exist until the service has reconnected and created it.
            if (isEventError(error, 'SUBSCRIPTION_FAILED')) {
              return false;
            }
            throw error;
          }
        },
        20_000,
      );
      expect((await readAuthStream(nc)).map((message) => [message.msgId, message.event.type])).toEqual([[eventId, 'user.banned']]);
    } finally {
      await nc.close();
    }
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^veto_outbox_published_total 1$/m);
    expect(metrics).toMatch(/^veto_outbox_pending 0$/m);

    first.child.kill('SIGTERM');
    const stopped = await first.exited;
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('"msg":"stopped"');

    const second = startScript('main.ts', [], env);
    const again = JSON.parse(await second.waitForLine((line) => line.includes('ADMIN_EMAIL'))) as { outcome: string };
    expect(again.outcome).toBe('unchanged');
    const relisten = JSON.parse(await second.waitForLine((line) => line.includes('listening'))) as { kid: string };
    expect(relisten.kid).toBe(listening.kid);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);
  });

  it('publishes the bans of an instance killed with SIGKILL right after committing them, once restarted', async () => {
    const crashNats = await startNatsServer();
    const crashDir = await mkdtemp(join(tmpdir(), 'veto-auth-crash-'));
    const env = {
      ...CHEAP_ARGON2,
      VETO_ENV: 'local',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: crashDir,
      NATS_URL: crashNats.url,
      ADMIN_EMAIL: 'root@example.com',
      ADMIN_PASSWORD: 'root password 1',
    };
    const nc = await connectTo(crashNats);
    try {
      const first = startScript('main.ts', [], env);
      const { port } = JSON.parse(await first.waitForLine((line) => line.includes('listening'))) as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const { accessToken } = (await (await post(`${base}/api/users/signin`, { email: 'root@example.com', password: 'root password 1' })).json()) as { accessToken: string };
      const users = await Promise.all(
        Array.from(
          { length: 60 },
          async (_, i) =>
            ((await (await post(`${base}/api/users/signup`, { email: `user${i}@example.com`, password: 'correct horse battery' })).json()) as { user: { id: string } }).user.id,
        ),
      );
      const bans = await Promise.all(users.map((id) => post(`${base}/api/admin/users/${id}/ban`, { reason: 'spam' }, accessToken)));
      first.child.kill('SIGKILL');
      const killedAt = Date.now();
      const eventIds = await Promise.all(bans.map(async (ban) => ((await ban.json()) as { eventId: string }).eventId));
      await first.exited;
      const publishedBeforeKill = (await readAuthStream(nc)).length;

      const second = startScript('main.ts', [], env);
      await second.waitForLine((line) => line.includes('listening'));
      const readyAt = Date.now();
      await waitFor('every ban on the AUTH stream', async () => (await readAuthStream(nc)).length === eventIds.length, 30_000);
      const doneAt = Date.now();
      console.info(
        `SIGKILL after 60 bans: ${eventIds.length - publishedBeforeKill} unpublished at the kill; all published ${doneAt - killedAt} ms after the kill, ${doneAt - readyAt} ms after the restarted service listened`,
      );
      expect(new Set((await readAuthStream(nc)).map((message) => message.msgId))).toEqual(new Set(eventIds));
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      await nc.close();
      await crashNats.cleanup();
      await rm(crashDir, { recursive: true, force: true });
    }
  }, 120_000);
});
