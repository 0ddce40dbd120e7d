import { join } from 'node:path';
import { DEBIAN_PYTHON, requireDebianPythonModule } from '../test-support/debian-python';
import { listenOnFreePort, type ListeningApp } from '../test-support/listening-app';
import { createTestApp, type TestApp } from '../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../test-support/test-database';
import { startTokenChecker, type TokenCheckerProcess } from '../test-support/token-checker-process';

// Issue 11: clients nobody here wrote must accept Veto's tokens the moment they are issued. PyJWT
// compares iat with the current whole second, so a fractional iat was refused as issued in the
// future ("ImmatureSignatureError ... (iat)") by every client checking within the same second.
const TOKENS = 10;

let database: TestDatabase;
let t: TestApp;
let served: ListeningApp;
let baseUrl: string;
const checkers: TokenCheckerProcess[] = [];

beforeAll(async () => {
  // Debian's python3-jwt (PyJWT 2.6), the version a Debian host has.
  requireDebianPythonModule('jwt', 'python3-jwt');
  database = await openTestDatabase();
  t = await createTestApp(database);
  served = await listenOnFreePort(t.app);
  baseUrl = served.baseUrl;
});

afterAll(async () => {
  await Promise.all(checkers.map((checker) => checker.stop()));
  await served?.close();
  await database?.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: { accessToken?: string } }> {
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { accessToken?: string } };
}

/** Signs up (even i) or signs in again (odd i) over HTTP, at the real current time. */
async function freshToken(i: number): Promise<string> {
  const credentials = { email: `interop-${Math.floor(i / 2)}@example.com`, password: 'correct horse battery' };
  // The app's test clock is moved to the real time, so the token is as fresh as in production.
  t.clock.set(Date.now());
  const res = i % 2 === 0 ? await post('/api/users/signup', credentials) : await post('/api/users/signin', credentials);
  expect([res.status, typeof res.body.accessToken]).toEqual([i % 2 === 0 ? 201 : 200, 'string']);
  return res.body.accessToken as string;
}

describe('fresh access tokens from a running auth service, checked by other JWT libraries', () => {
  it(`PyJWT (Debian python3-jwt, PyJWKClient, leeway 0) and jose (remote JWKS, no tolerance) accept ${TOKENS} of ${TOKENS} tokens checked at once`, async () => {
    const jwksUrl = `${baseUrl}/.well-known/jwks.json`;
    const { issuer, audience, accessTokenTtlSeconds } = t.config;
    const pyjwt = await startTokenChecker(DEBIAN_PYTHON, [join(__dirname, 'pyjwt-verify.py'), jwksUrl, issuer, audience]);
    checkers.push(pyjwt);
    const jose = await startTokenChecker(process.execPath, [join(__dirname, 'jose-verify.mjs'), jwksUrl, issuer, audience, String(accessTokenTtlSeconds)]);
    checkers.push(jose);

    const results: Record<string, string[]> = { [pyjwt.library]: [], [jose.library]: [] };
    for (let i = 0; i < TOKENS; i += 1) {
      const token = await freshToken(i);
      const [byPyjwt, byJose] = await Promise.all([pyjwt.check(token), jose.check(token)]);
      results[pyjwt.library]?.push(byPyjwt);
      results[jose.library]?.push(byJose);
    }

    const allAccepted = new Array<string>(TOKENS).fill('accepted');
    expect(results).toEqual({ [pyjwt.library]: allAccepted, [jose.library]: allAccepted });
  });
});
