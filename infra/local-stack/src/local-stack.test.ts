import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@veto/test-kit';
import { SERVICE_NODE_FLAGS } from './service-node-flags';
import { startScript, type ScriptProcess } from './test-support/launcher-process';

// LONG TEST (a minute or two): the launcher starts the real stack as processes (nats-server, auth,
// tickets and signals from their sources through tsx, the gateway), twice, in a temporary data directory on
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

/** The node flags of the process listening on `port` as a Veto service (its environment names the port), before its entry script. */
function serviceNodeFlags(port: number): string[][] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        if (!readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PORT=${port}`)) return [];
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1);
        const entry = args.findIndex((arg) => arg === '--import' || arg.endsWith('main.js'));
        return entry === -1 ? [] : [args.slice(0, entry)];
      } catch {
        // The process ended while the list was read, or is another user's.
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

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/** The sh block of a README that starts with `first`, with the documented URLs replaced by the test's. */
function shBlock(readmePath: string, first: string, urls: { gateway: string; auth: string }): string {
  const readme = readFileSync(readmePath, 'utf8');
  const block = [...readme.matchAll(/```sh\n(.*?)```/gs)].map((match) => match[1] as string).find((candidate) => candidate.startsWith(first));
  if (block === undefined) throw new Error(`${readmePath} has no sh block starting with ${first}`);
  return block.replaceAll('http://localhost:3000', urls.gateway).replaceAll('http://127.0.0.1:3001', urls.auth);
}

/** Reports every response's status on stderr (`HTTP 201`), leaving stdout as the reader sees it. */
const CURL_STATUS_WRAPPER = `curl() { command curl -w '%{stderr}HTTP %{http_code}\\n' "$@"; }\n`;

/** The root README's two curl walkthroughs, verbatim but for the URLs (the test's ports). */
function readmeWalkthroughs(urls: { gateway: string; auth: string }): { name: string; script: string }[] {
  return [
    { name: 'through the gateway', first: 'B=http://localhost:3000\n' },
    { name: 'ban a user, step by step', first: 'A=http://127.0.0.1:3001\n' },
  ].map(({ name, first }) => ({ name, script: CURL_STATUS_WRAPPER + shBlock(join(REPOSITORY_ROOT, 'README.md'), first, urls) }));
}

/** Runs `script` with `bash -euo pipefail`, resolving with its exit status and output whatever the status. */
async function runBash(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { ...options, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((line) => line.split(';')[0]).join('; ');
}

describe('the local stack launcher (LONG: real processes, two starts)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-local-stack-'));
  // A checkout whose .data is this stack's data directory, as after `npm start` from the repository
  // root, with its own temporary directory: where the README's snippets run.
  const checkout = mkdtempSync(join(tmpdir(), 'veto-checkout-'));
  symlinkSync(dataDir, join(checkout, '.data'));
  mkdirSync(join(checkout, 'tmp'));
  const checkoutEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TMPDIR: join(checkout, 'tmp') });
  let env: Record<string, string>;
  let ports: { gateway: number; auth: number; tickets: number; signals: number };
  let launcher: ScriptProcess | undefined;
  const launched: ScriptProcess[] = [];
  const launch = (): ScriptProcess => {
    launcher = startScript('main.ts', env);
    launched.push(launcher);
    return launcher;
  };
  let gateway: string;

  beforeAll(async () => {
    ports = { gateway: await freePort(), auth: await freePort(), tickets: await freePort(), signals: await freePort() };
    env = {
      VETO_DATA_DIR: dataDir,
      GATEWAY_PORT: String(ports.gateway),
      AUTH_PORT: String(ports.auth),
      TICKETS_PORT: String(ports.tickets),
      SIGNALS_PORT: String(ports.signals),
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    // A launcher left running by a failed test stops its children on SIGTERM.
    for (const left of launched) left.signal('SIGTERM');
    await Promise.all(launched.map((left) => left.exited));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(checkout, { recursive: true, force: true });
  });

  it('starts nats-server, auth, tickets, signals and the gateway, and prints the banner with the generated admin password and introspection secret once', async () => {
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
    // Every child's lines behind its name; no warning a newcomer cannot act on: nats-server holds
    // bcrypt hashes, and the local signing key is said to be expected, at info level.
    expect(output).toMatch(/^auth +│ \S+ INFO {2}local mode: tokens are signed with the development key kept in DATA_DIR, as expected here/m);
    expect(output).not.toMatch(/Plaintext passwords/);
    expect(output).not.toMatch(/WARN.*signing key/);
    const readyz = await fetch(`${gateway}/readyz`);
    expect([readyz.status, await readyz.json()]).toEqual([200, { status: 'ready', checks: { auth: 'ready', tickets: 'ready', signals: 'ready' } }]);
    expect(output).toContain(`${gateway}/.well-known/ssf-configuration/signals`);
    // The services run with the flags that keep them small (a 1 MB young generation).
    expect([serviceNodeFlags(ports.auth), serviceNodeFlags(ports.tickets), serviceNodeFlags(ports.signals)]).toEqual(Array(3).fill([[...SERVICE_NODE_FLAGS]]));
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

  it('publishes the signals transmitter under the gateway: its discovery names the /signals issuer, whose URLs it routes', async () => {
    const discovery = await fetch(`${gateway}/.well-known/ssf-configuration/signals`);

    expect(discovery.status).toBe(200);
    const metadata = (await discovery.json()) as { issuer: string; jwks_uri: string; configuration_endpoint: string };
    expect(metadata).toMatchObject({ issuer: `${gateway}/signals`, jwks_uri: `${gateway}/signals/jwks.json`, configuration_endpoint: `${gateway}/signals/ssf/stream` });
    const jwks = await fetch(metadata.jwks_uri);
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: { kty: string }[] }).keys).toEqual([expect.objectContaining({ kty: 'RSA' })]);
    // Its signing key was generated into its data directory (local mode), owner-only.
    expect(statSync(join(dataDir, 'signals', 'signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('runs the README walkthroughs twice from a checkout: every status as the comments say, nothing left in the checkout', async () => {
    const walkthroughs = readmeWalkthroughs({ gateway, auth: `http://127.0.0.1:${ports.auth}` });
    const expected: Record<string, number[]> = {
      // sign-up, sign-in, me, list a ticket, browse, Bearer sign-in, me, refresh, admin sign-in, me (id), ban, tickets refused, JWKS
      'through the gateway': [201, 200, 200, 201, 200, 200, 200, 200, 200, 200, 200, 401, 200],
      // admin sign-in, sign-up, search, ban, sign-in refused, audit, unban, revoke sessions, metrics
      'ban a user, step by step': [200, 201, 200, 200, 403, 200, 200, 200, 200],
    };
    for (const run of [1, 2]) {
      for (const { name, script } of walkthroughs) {
        // Asynchronously: a blocked event loop would miss the gateway closing this process's idle
        // keep-alive connections, and the next fetch would be sent on a closed one.
        const result = await runBash(script, { cwd: checkout, env: checkoutEnv() });
        const statuses = [...result.stderr.matchAll(/^HTTP (\d{3})$/gm)].map((match) => Number(match[1]));

        expect({ run, name, exit: result.status, statuses }).toEqual({ run, name, exit: 0, statuses: expected[name] });
        expect(result.stdout).not.toMatch(/undefined|EMAIL_TAKEN/);
        if (name === 'through the gateway') expect(result.stdout).toMatch(/HTTP\/1\.1 401 Unauthorized[\s\S]*"code":"TOKEN_REVOKED"/);
        else expect(result.stdout).toMatch(/HTTP\/1\.1 403 Forbidden[\s\S]*"code":"USER_BANNED"[\s\S]*^veto_outbox_publish_delay_seconds_count [1-9]/m);
      }
    }
    // The cookie jar went to a temporary file and was removed: nothing new in the checkout or its temp directory.
    expect(readdirSync(checkout).sort()).toEqual(['.data', 'tmp']);
    expect(readdirSync(join(checkout, 'tmp'))).toEqual([]);
  });

  it('runs the Shared Signals walkthrough of docs/shared-signals.md: a receiver polls the SET of a ban and acknowledges it', async () => {
    const script =
      CURL_STATUS_WRAPPER + shBlock(join(REPOSITORY_ROOT, 'docs', 'shared-signals.md'), 'B=http://localhost:3000\n', { gateway, auth: `http://127.0.0.1:${ports.auth}` });

    const result = await runBash(script, { cwd: checkout, env: checkoutEnv() });
    const statuses = [...result.stderr.matchAll(/^HTTP (\d{3})$/gm)].map((match) => Number(match[1]));

    // discovery, admin sign-in, receiver, stream, sign-up, ban, poll, acknowledgement
    expect({ exit: result.status, statuses }).toEqual({ exit: 0, statuses: [200, 200, 201, 201, 201, 200, 200, 200] });
    expect(result.stdout).toContain('"typ": "secevent+jwt"');
    expect(result.stdout).toContain('"https://schemas.openid.net/secevent/risc/event-type/account-disabled"');
    expect(result.stdout.trimEnd().endsWith('{"sets":{},"moreAvailable":false}')).toBe(true);
  });

  it('turns introspection on with the generated client: the introspection snippet of its README shows a token as active through the gateway', async () => {
    const signin = await fetch(`${gateway}/api/users/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
    });
    const { accessToken } = (await signin.json()) as { accessToken: string };
    const snippet = shBlock(join(__dirname, '..', 'README.md'), 'id=$(node -p', { gateway, auth: `http://127.0.0.1:${ports.auth}` });

    const result = await runBash(CURL_STATUS_WRAPPER + snippet, { cwd: checkout, env: { ...checkoutEnv(), ACCESS_TOKEN: accessToken } });

    expect({ exit: result.status, statuses: result.stderr.match(/^HTTP \d{3}$/gm) }).toEqual({ exit: 0, statuses: ['HTTP 200'] });
    expect(JSON.parse(result.stdout)).toEqual(expect.objectContaining({ active: true, role: 'user' }));
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

    expect({ result, output: running.output().split('\n').slice(-15).join('\n') }).toEqual({
      result: { code: 0, signal: null },
      output: expect.stringContaining('veto    │ stopped'),
    });
    expect(running.output()).not.toMatch(/stopped with code/);
    expect(await Promise.all(Object.values(ports).map(refusesConnections))).toEqual([true, true, true, true]);
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
