import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { startScript, type ScriptProcess } from './test-support/launcher-process';

// LONG TEST (a minute or two): the launcher starts the real stack as processes (nats-server, auth
// and tickets from their sources through tsx, the gateway), twice, in a temporary data directory on
// free ports. Generous start timeouts keep it robust on a loaded 2-core machine; nothing here
// asserts on how fast anything is.
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 60_000;
jest.setTimeout(15 * 60_000);

const BANNER = /Veto is running on (http:\/\/localhost:\d+)/;
const PASSWORD = 'correct horse battery';

/** The processes whose command line names `needle`: the children a launcher left behind, if any. */
function processesMentioning(needle: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(needle) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        // The process ended while the list was read.
        return [];
      }
    });
}

async function refusesConnections(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/healthz`).then(
    () => false,
    () => true,
  );
}

/** How the process ended, or 'still running' after `timeoutMs`. */
async function exitWithin(running: ScriptProcess, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'still running');
  });
  try {
    return await Promise.race([running.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((line) => line.split(';')[0]).join('; ');
}

describe('the local stack launcher (LONG: real processes, two starts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-local-stack-'));
  let env: Record<string, string>;
  let ports: { gateway: number; auth: number; tickets: number };
  let launcher: ScriptProcess | undefined;
  const launched: ScriptProcess[] = [];
  const launch = (): ScriptProcess => {
    launcher = startScript('main.ts', env);
    launched.push(launcher);
    return launcher;
  };
  let gateway: string;

  beforeAll(async () => {
    ports = { gateway: await freePort(), auth: await freePort(), tickets: await freePort() };
    env = { VETO_DATA_DIR: dataDir, GATEWAY_PORT: String(ports.gateway), AUTH_PORT: String(ports.auth), TICKETS_PORT: String(ports.tickets), LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    // A launcher left running by a failed test stops its children on SIGTERM.
    for (const left of launched) left.signal('SIGTERM');
    await Promise.all(launched.map((left) => left.exited));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts nats-server, auth, tickets and the gateway, and prints the banner with the generated admin password and introspection secret once', async () => {
    const output = await launch().waitForOutput(BANNER, START_TIMEOUT_MS);

    gateway = (BANNER.exec(output) as RegExpExecArray)[1] as string;
    expect(gateway).toBe(`http://localhost:${ports.gateway}`);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { email: string; password: string };
    expect(output).toContain(`${admin.email} / ${admin.password}`);
    expect(statSync(join(dataDir, 'admin.json')).mode & 0o777).toBe(0o600);
    const introspection = JSON.parse(readFileSync(join(dataDir, 'introspection-client.json'), 'utf8')) as { clientId: string; clientSecret: string };
    expect(output).toContain(`veto-local / ${introspection.clientSecret}`);
    expect(statSync(join(dataDir, 'introspection-client.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'nats-credentials.json')).mode & 0o777).toBe(0o600);
    expect(output).toMatch(/^auth +│ /m);
    expect((await fetch(`${gateway}/readyz`)).status).toBe(200);
  });

  it('routes a browser through the gateway: the sign-up cookies then work for /api/tickets', async () => {
    const signup = await fetch(`${gateway}/api/users/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    expect(signup.status).toBe(201);
    const cookies = cookieHeader(signup.headers.getSetCookie());
    expect(cookies).toMatch(/veto_access=/);

    const created = await fetch(`${gateway}/api/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookies },
      body: JSON.stringify({ title: 'Balcony, row B', price: 4_500 }),
    });
    expect(created.status).toBe(201);
    const listed = await fetch(`${gateway}/api/tickets`, { headers: { cookie: cookies } });
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect((await fetch(`${gateway}/.well-known/jwks.json`)).status).toBe(200);
    const unknown = await fetch(`${gateway}/nope`);
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'NOT_FOUND']);
  });

  it('turns introspection on with the generated client: a token introspects as active through the gateway', async () => {
    const signin = await fetch(`${gateway}/api/users/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    const { accessToken } = (await signin.json()) as { accessToken: string };
    const { clientId, clientSecret } = JSON.parse(readFileSync(join(dataDir, 'introspection-client.json'), 'utf8')) as { clientId: string; clientSecret: string };

    const introspected = await fetch(`${gateway}/api/auth/introspect`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ token: accessToken }),
    });

    expect({ status: introspected.status, body: await introspected.json() }).toEqual({ status: 200, body: expect.objectContaining({ active: true, role: 'user' }) });
  });

  it('runs the demo against it: the ban is enforced by tickets and the time to rejection is printed', async () => {
    const demo = startScript('demo-main.ts', { VETO_DATA_DIR: dataDir, GATEWAY_PORT: String(ports.gateway) });
    const result = await demo.exited;

    expect({ code: result.code, output: demo.output() }).toEqual({ code: 0, output: expect.stringContaining('401 TOKEN_REVOKED') });
    expect(demo.output()).toMatch(/Ban to rejection: \d+\.\d ms/);
    expect(demo.output()).toContain('the ticket is no longer listed');
  });

  it('stops every child on Ctrl-C (SIGINT) and exits 0', async () => {
    const running = launcher as ScriptProcess;
    running.signal('SIGINT');

    const result = await exitWithin(running, STOP_TIMEOUT_MS);

    expect({ result, output: running.output().split('\n').slice(-15).join('\n') }).toEqual({ result: { code: 0, signal: null }, output: expect.stringContaining('veto    │ stopped') });
    expect(running.output()).not.toMatch(/stopped with code/);
    expect(await Promise.all(Object.values(ports).map(refusesConnections))).toEqual([true, true, true]);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('keeps the data on a second start: no new admin, neither password nor introspection secret printed again, old accounts still sign in', async () => {
    const output = await launch().waitForOutput(BANNER, START_TIMEOUT_MS);
    const admin = JSON.parse(readFileSync(join(dataDir, 'admin.json'), 'utf8')) as { email: string; password: string };

    expect(output).not.toContain(admin.password);
    expect(output).toContain(`${admin.email}   (password in`);
    const introspection = JSON.parse(readFileSync(join(dataDir, 'introspection-client.json'), 'utf8')) as { clientSecret: string };
    expect(output).not.toContain(introspection.clientSecret);
    expect(output).toContain('veto-local   (secret in');
    for (const account of [admin, { email: 'ada@example.com', password: PASSWORD }]) {
      const signin = await fetch(`${gateway}/api/users/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(account),
      });
      expect({ email: account.email, status: signin.status }).toEqual({ email: account.email, status: 200 });
    }
  });

  it('reports a child that dies and stops the rest with a non-zero exit code', async () => {
    const running = launcher as ScriptProcess;
    const [tickets] = processesMentioning(join('services', 'tickets', 'src', 'main.ts')).filter((line) =>
      readFileSync(`/proc/${line.split(':')[0]}/environ`, 'utf8').includes(`DATA_DIR=${join(dataDir, 'tickets')}`),
    );
    expect(tickets).toBeDefined();

    process.kill(Number((tickets as string).split(':')[0]), 'SIGKILL');
    const result = await exitWithin(running, STOP_TIMEOUT_MS);

    expect(result).toEqual({ code: 1, signal: null });
    expect(running.output()).toMatch(/tickets exited unexpectedly \(code null, signal SIGKILL\)/);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
