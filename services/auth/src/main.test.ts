import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScript, startScript } from './test-support/run-script';

// The real entry point in its own process: configuration errors, local start-up with a
// generated key, the admin bootstrap, the HTTP API, and a graceful shutdown.
let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'veto-auth-main-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

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

  it('starts locally with a generated key and the configured admin, serves the API, stops on SIGTERM, and reuses the key', async () => {
    const env = { ...CHEAP_ARGON2, VETO_ENV: 'local', HOST: '127.0.0.1', PORT: '0', DATA_DIR: dataDir, ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'root password 1' };
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
});
