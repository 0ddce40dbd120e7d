import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalStackError } from './errors';
import type { AdminCredentials } from './stack-secrets';

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** The gateway, `http://localhost:3000`. */
  readonly baseUrl: string;
  /** The admin who bans the user. */
  readonly admin: AdminCredentials;
  /** Receives the narration, one line at a time. */
  readonly print: (line: string) => void;
  /** How long to wait for the rejection and for the ticket to be unlisted; 10 s by default. */
  readonly timeoutMs?: number;
}

/** What the demo saw. */
export interface DemoResult {
  readonly userId: string;
  readonly ticketId: string;
  /** From the ban response to the first 401 of the banned user's request. */
  readonly banToRejectionMs: number;
  /** The `code` of that 401. */
  readonly rejectionCode: string;
  /** Requests of the banned user still accepted after the ban response (0 when the first was refused). */
  readonly acceptedAfterBan: number;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly setCookies: string[];
}

/** A browser's cookie jar, reduced to what the demo needs: name, value and path. */
class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  store(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const path = attributes.find((attribute) => attribute.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const value = pair.slice(eq + 1);
      if (value === '') this.#cookies.delete(pair.slice(0, eq));
      else this.#cookies.set(pair.slice(0, eq), { value, path });
    }
  }

  header(path: string): string {
    return [...this.#cookies]
      .filter(([, cookie]) => path === cookie.path || path.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  get size(): number {
    return this.#cookies.size;
  }
}

function fail(step: string, answer: Answer | undefined, detail: string): never {
  const got = answer ? ` (got ${answer.status} ${JSON.stringify(answer.body)})` : '';
  throw new LocalStackError('DEMO_FAILED', `${step}: ${detail}${got}`);
}

/**
 * Runs the ban demo against a running stack, through its gateway, narrating each step: a user
 * signs up (cookies, as a browser would), lists a ticket, the admin bans the user, and the user's
 * next request to the tickets service is refused; it measures the time from the ban response to
 * that first 401, and shows the side effect (the ticket unlisted by the tickets work queue).
 *
 * @param options - gateway URL, admin credentials, output, timeout
 * @returns what was measured
 * @throws LocalStackError `DEMO_FAILED` naming the step and the unexpected answer; a network error when the stack is not running
 * @example
 * const result = await runDemo({ baseUrl: 'http://localhost:3000', admin, print: console.log });
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { baseUrl, print } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const jar = new CookieJar();

  const call = async (method: string, path: string, auth: { cookies?: CookieJar; token?: string }, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    const cookie = auth.cookies?.header(path);
    if (cookie) headers.cookie = cookie;
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    return { status: response.status, body: parsed as Record<string, unknown>, setCookies: response.headers.getSetCookie() };
  };

  const email = `demo-${randomBytes(4).toString('hex')}@example.com`;
  print(`1. ${email} signs up through the gateway (${baseUrl}/api/users/signup)`);
  const signup = await call('POST', '/api/users/signup', {}, { email, password: randomBytes(12).toString('base64url') });
  if (signup.status !== 201) fail('sign-up', signup, 'expected 201');
  jar.store(signup.setCookies);
  const userId = (signup.body.user as { id?: string } | undefined)?.id ?? fail('sign-up', signup, 'no user id');
  print(`   201, user ${userId}; the browser now holds ${jar.size} httpOnly cookies`);

  print('2. with those cookies, the user lists a ticket on the tickets service (POST /api/tickets)');
  const created = await call('POST', '/api/tickets', { cookies: jar }, { title: 'Front-row seat, final night', price: 12_500 });
  if (created.status !== 201) fail('create a ticket', created, 'expected 201');
  const ticketId = String(created.body.id);
  print(`   201, ticket ${ticketId}; tickets verified the token locally, without asking auth`);

  print(`3. the admin (${options.admin.email}) signs in and bans the user (POST /api/admin/users/${userId}/ban)`);
  const signin = await call('POST', '/api/users/signin', {}, { email: options.admin.email, password: options.admin.password });
  if (signin.status !== 200) fail('admin sign-in', signin, 'expected 200');
  const adminToken = String(signin.body.accessToken);
  const ban = await call('POST', `/api/admin/users/${userId}/ban`, { token: adminToken }, { reason: 'demo: selling fake tickets' });
  const bannedAt = performance.now();
  if (ban.status !== 200) fail('ban', ban, 'expected 200');
  print(`   200, event ${String(ban.body.eventId)} committed with the ban; the relay publishes it on NATS`);

  print('4. the user, still holding an unexpired access token, asks the tickets service again (GET /api/tickets)');
  let acceptedAfterBan = 0;
  let rejection: Answer | undefined;
  let rejectedAt = bannedAt;
  while (rejection === undefined) {
    const answer = await call('GET', '/api/tickets', { cookies: jar });
    if (answer.status === 401) {
      rejectedAt = performance.now();
      rejection = answer;
    } else if (answer.status === 200) {
      acceptedAfterBan++;
      if (performance.now() - bannedAt > timeoutMs) fail('rejection', answer, `still accepted ${timeoutMs} ms after the ban`);
    } else {
      fail('rejection', answer, 'expected 200 before the event arrives or 401 after');
    }
  }
  const banToRejectionMs = rejectedAt - bannedAt;
  const rejectionCode = String(rejection.body.code);
  print(`   401 ${rejectionCode}: refused ${banToRejectionMs.toFixed(1)} ms after the ban response (${acceptedAfterBan} request(s) accepted in between)`);

  print('5. and once per service, the tickets work queue unlists the banned seller’s ticket');
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = await call('GET', `/api/tickets/${ticketId}`, { token: adminToken });
    if (seen.status === 404) break;
    if (seen.status !== 200) fail('unlisting', seen, 'expected 200 or 404');
    if (performance.now() > deadline) fail('unlisting', seen, `the ticket is still listed ${timeoutMs} ms after the ban`);
    await sleep(50);
  }
  print(`   GET /api/tickets/${ticketId} as the admin: 404, the ticket is no longer listed`);
  print(`Ban to rejection: ${banToRejectionMs.toFixed(1)} ms, without the tickets service ever calling auth.`);
  return { userId, ticketId, banToRejectionMs, rejectionCode, acceptedAfterBan };
}
