import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DEBIAN_PYTHON, requireDebianPythonModule } from '../../test-support/debian-python';
import { listenOnFreePort, type ListeningApp } from '../../test-support/listening-app';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, type TestUser } from '../../test-support/test-users';

// Interop: real OAuth clients written elsewhere introspect against the auth app on a real port.
// openid-client 6 (ESM only) and Debian's authlib each run in a child process, one per batch of cases.
const SCRIPTS = join(__dirname, 'test-support');

// A plain secret with '-' (openid-client sends it as %2D), and one with every character whose
// form-urlencoding differs from itself, a literal '%zz', a ':' and a non-ASCII letter; the second
// app also requires a client id that needs encoding.
const PLAIN = { clientId: 'resource-server', secret: 'veto-introspection-secret-0123' };
const HARD = { clientId: 'rs:1+x%', secret: 'p+l%us:co-lon and  spaces %zz ü' };

let database: TestDatabase;
let plain: { t: TestApp; url: string; served: ListeningApp };
let hard: { t: TestApp; url: string; served: ListeningApp };
let ada: TestUser;

async function listen(t: TestApp): Promise<{ t: TestApp; url: string; served: ListeningApp }> {
  const served = await listenOnFreePort(t.app);
  return { t, served, url: `${served.baseUrl}/api/auth/introspect` };
}

/** Runs a child with `input` as JSON on stdin; resolves with its stdout parsed as JSON. */
async function runClient(command: string, args: readonly string[], input: unknown): Promise<unknown> {
  const child = spawn(command, [...args], { cwd: join(__dirname, '..', '..', '..'), stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(JSON.stringify(input));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stderr}`);
  }
  return JSON.parse(stdout);
}

/** The application/x-www-form-urlencoded form of a value (RFC 6749 Appendix B), as openid-client sends it. */
const formUrlEncode = (value: string): string => new URLSearchParams({ v: value }).toString().slice(2);

beforeAll(async () => {
  database = await openTestDatabase();
  const first = await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: PLAIN.secret });
  plain = await listen(first);
  // The same signing key, so one token is good for both apps.
  hard = await listen(await createTestApp(database, { INTROSPECTION_CLIENT_SECRET: HARD.secret, INTROSPECTION_CLIENT_ID: HARD.clientId }, { keys: first.keys }));
  ada = await createTestUser(first.app, database.db, 'ada@example.com');
});
afterAll(async () => {
  await Promise.all([plain, hard].map(({ served }) => served.close()));
  await database.close();
});

describe('openid-client 6 tokenIntrospection', () => {
  interface Result {
    response?: Record<string, unknown>;
    thrown?: { name: string; error?: string; status?: number; challenges?: { scheme: string; parameters: Record<string, string> }[]; message: string };
  }
  const introspect = async (endpoint: string, cases: { clientId: string; secret: string; method: 'basic' | 'post'; token: string }[]): Promise<Result[]> =>
    (await runClient(process.execPath, [join(SCRIPTS, 'openid-client-introspect.mjs')], { issuer: 'veto-auth', endpoint, cases })) as Result[];

  it('authenticates with client_secret_basic and client_secret_post, secrets with "-", "+", "%", ":" and spaces, and reads active and inactive tokens', async () => {
    const results = await introspect(hard.url, [
      { ...HARD, method: 'basic', token: ada.accessToken },
      { ...HARD, method: 'post', token: ada.accessToken },
      { ...HARD, method: 'basic', token: 'garbage' },
    ]);
    const [plainBasic] = await introspect(plain.url, [{ ...PLAIN, method: 'basic', token: ada.accessToken }]);

    expect(results).toEqual([
      { response: expect.objectContaining({ active: true, sub: ada.id, role: 'user', token_type: 'Bearer' }) },
      { response: expect.objectContaining({ active: true, sub: ada.id }) },
      { response: { active: false } },
    ]);
    expect(plainBasic).toEqual({ response: expect.objectContaining({ active: true, sub: ada.id }) });
    expect(Number.isInteger(results[0]?.response?.exp) && Number.isInteger(results[0]?.response?.iat)).toBe(true);
  });

  it('reports invalid_client for a wrong secret or client id: in the Basic challenge with client_secret_basic, as the error with client_secret_post', async () => {
    const [basic, wrongId, post] = await introspect(hard.url, [
      { ...HARD, secret: `${HARD.secret}x`, method: 'basic', token: ada.accessToken },
      { ...HARD, clientId: 'someone-else', method: 'basic', token: ada.accessToken },
      { ...HARD, secret: `${HARD.secret}x`, method: 'post', token: ada.accessToken },
    ]);

    // RFC 6749 §5.2: a client that used the Authorization header gets a challenge, which
    // openid-client reports before the body (WWWAuthenticateChallengeError); the challenge names the error.
    for (const result of [basic, wrongId]) {
      expect(result?.thrown).toMatchObject({
        name: 'WWWAuthenticateChallengeError',
        status: 401,
        challenges: [{ scheme: 'basic', parameters: { realm: 'veto-introspection', error: 'invalid_client' } }],
      });
    }
    expect(post?.thrown).toMatchObject({ name: 'ResponseBodyError', error: 'invalid_client', status: 401 });
  });
});

describe('authlib (Debian python3-authlib) OAuth2Client.introspect_token', () => {
  interface Answer {
    status: number;
    contentType: string;
    wwwAuthenticate: string | null;
    body: Record<string, unknown>;
  }
  const introspect = async (endpoint: string, cases: { clientId: string; secret: string; method: string; token: string }[]): Promise<Answer[]> => {
    requireDebianPythonModule('authlib', 'python3-authlib');
    return (await runClient(DEBIAN_PYTHON, [join(SCRIPTS, 'authlib-introspect.py')], { endpoint, cases })) as Answer[];
  };

  it('authenticates with client_secret_basic and client_secret_post and reads active and inactive tokens', async () => {
    const [basic, post, inactive] = await introspect(plain.url, [
      { ...PLAIN, method: 'client_secret_basic', token: ada.accessToken },
      { ...PLAIN, method: 'client_secret_post', token: ada.accessToken },
      { ...PLAIN, method: 'client_secret_basic', token: 'garbage' },
    ]);
    // authlib sends client_secret_post's values form-encoded, as any form; for Basic it sends
    // them as given (its maintainers reverted RFC 6749 §2.3.1 encoding), so its callers encode them.
    const [hardPost, hardBasic] = await introspect(hard.url, [
      { ...HARD, method: 'client_secret_post', token: ada.accessToken },
      { clientId: formUrlEncode(HARD.clientId), secret: formUrlEncode(HARD.secret), method: 'client_secret_basic', token: ada.accessToken },
    ]);

    for (const answer of [basic, post, hardPost, hardBasic]) {
      expect(answer).toMatchObject({ status: 200, body: { active: true, sub: ada.id, role: 'user', token_type: 'Bearer' } });
    }
    expect(inactive).toMatchObject({ status: 200, body: { active: false } });
  });

  it('gets 401 invalid_client for a wrong secret, with a Basic challenge only when it used the Authorization header', async () => {
    const [basic, post] = await introspect(plain.url, [
      { ...PLAIN, secret: 'wrong-secret-0123456789', method: 'client_secret_basic', token: ada.accessToken },
      { ...PLAIN, secret: 'wrong-secret-0123456789', method: 'client_secret_post', token: ada.accessToken },
    ]);

    expect(basic).toMatchObject({ status: 401, contentType: 'application/json; charset=utf-8', body: { error: 'invalid_client', code: 'INTROSPECTION_UNAUTHORIZED' } });
    expect(basic?.wwwAuthenticate).toBe('Basic realm="veto-introspection", error="invalid_client"');
    expect(post).toMatchObject({ status: 401, wwwAuthenticate: null, body: { error: 'invalid_client', code: 'INTROSPECTION_UNAUTHORIZED' } });
  });
});
