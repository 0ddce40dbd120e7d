import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@veto/events';
import { createGateway, GATEWAY_ERRORS } from './gateway';
import { PUBLIC_ROUTES } from './start-stack';

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A real backend that answers with what it received; `/echo` streams the body back, `/cookies` sets two cookies. */
function backend(name: string, ready = true): Server {
  return createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(ready ? 200 : 503).end();
      return;
    }
    if (req.url?.startsWith('/api/echo')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
      return;
    }
    if (req.url?.startsWith('/api/users/cookies')) {
      res.setHeader('set-cookie', ['veto_access=a1; Path=/; HttpOnly; SameSite=Lax', 'veto_refresh=r1; Path=/api/auth/refresh; HttpOnly; SameSite=Strict']);
      res.writeHead(201).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name });
    res.end(JSON.stringify({ backend: name, method: req.method, url: req.url, headers: req.headers }));
  });
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    httpRequest({ hostname, port, path }, (answer) => {
      answer.resume();
      resolve({ status: answer.statusCode ?? 0, type: answer.headers['content-type'] });
    })
      .on('error', reject)
      .end();
  });
}

/** A docs folder with two documents, a non-Markdown file and a Markdown file below a subfolder, beside a secret. */
function docsFolder(): string {
  const root = mkdtempSync(join(tmpdir(), 'veto-gateway-docs-'));
  const docs = join(root, 'docs');
  mkdirSync(docs);
  for (const [path, text] of [
    ['docs/api.md', '# HTTP API\n'],
    ['docs/operations.md', '# Operations <ops>\n'],
    ['docs/notes.txt', 'not served'],
    ['secret.md', 'outside docs/'],
  ] as const) {
    writeFileSync(join(root, path), text);
  }
  return docs;
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  server.close();
  await once(server, 'close');
  return url;
}

describe('createGateway', () => {
  const auth = backend('auth');
  const tickets = backend('tickets');
  const signals = backend('signals');
  let gateway: Server;
  let base: string;

  beforeAll(async () => {
    const [authUrl, ticketsUrl, signalsUrl] = await Promise.all([listen(auth), listen(tickets), listen(signals)]);
    const upstreams = { auth: authUrl, tickets: ticketsUrl, signals: signalsUrl };
    gateway = createGateway({
      logger: silent,
      docsDirectory: docsFolder(),
      // The stack's own table, and one route for the streaming test.
      routes: [
        ...PUBLIC_ROUTES.map(({ prefix, service, stripPrefix }) => ({ prefix, upstream: upstreams[service], name: service, stripPrefix })),
        { prefix: '/api/echo', upstream: authUrl, name: 'auth' },
      ],
    });
    base = await listen(gateway);
  });

  afterAll(async () => {
    gateway.closeAllConnections();
    for (const server of [gateway, auth, tickets, signals]) server.close();
  });

  it.each([
    ['/api/users/me?fields=email', 'auth'],
    ['/api/users', 'auth'],
    ['/api/auth/refresh', 'auth'],
    ['/api/admin/users/u1/ban', 'auth'],
    ['/.well-known/jwks.json', 'auth'],
    ['/admin', 'auth'],
    ['/admin/users/u1?tab=audit', 'auth'],
    ['/api/tickets?limit=5&cursor=abc', 'tickets'],
    ['/api/tickets/t-1', 'tickets'],
    ['/api/admin/receivers', 'signals'],
    ['/api/admin/receivers/r-1/streams?limit=5', 'signals'],
    ['/api/admin/dead-letters', 'signals'],
    ['/api/admin/dead-letters/42/retry', 'signals'],
    ['/api/admin/receiversx', 'auth'],
    ['/.well-known/ssf-configuration/signals', 'signals'],
    ['/.well-known/ssf-configuration', 'signals'],
    ['/.well-known/openid-configuration', 'auth'],
    ['/ssf/status?stream_id=s1', 'signals'],
    ['/jwks.json', 'signals'],
  ])('routes %s to %s with the path and query unchanged', async (path, name) => {
    const response = await fetch(`${base}${path}`);

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ backend: name, method: 'GET', url: path });
  });

  it.each([
    ['/signals/jwks.json', '/jwks.json'],
    ['/signals/ssf/stream?stream_id=s1', '/ssf/stream?stream_id=s1'],
    ['/signals/ssf/poll/s-1', '/ssf/poll/s-1'],
    ['/signals', '/'],
    ['/signals?x=1', '/?x=1'],
  ])('routes %s to signals without the /signals prefix, as %s', async (path, url) => {
    const response = await fetch(`${base}${path}`, { method: path.includes('poll') ? 'POST' : 'GET', body: path.includes('poll') ? '{}' : undefined });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ backend: 'signals', url });
  });

  it('does not take /signalsx for the signals prefix', async () => {
    expect((await fetch(`${base}/signalsx/jwks.json`)).status).toBe(404);
  });

  it('passes method, body and cookies through and sets the X-Forwarded headers', async () => {
    const response = await fetch(`${base}/api/admin/users/u1/ban`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'veto_access=a1', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ reason: 'spam' }),
    });

    const seen = (await response.json()) as { method: string; headers: Record<string, string> };
    expect(seen.method).toBe('POST');
    expect(seen.headers).toMatchObject({
      cookie: 'veto_access=a1',
      'content-type': 'application/json',
      'x-forwarded-for': '203.0.113.9, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': new URL(base).host,
    });
  });

  it('keeps every Set-Cookie header of the answer, separately and in order', async () => {
    const response = await fetch(`${base}/api/users/cookies`, { method: 'POST' });

    expect(response.status).toBe(201);
    expect(response.headers.getSetCookie()).toEqual(['veto_access=a1; Path=/; HttpOnly; SameSite=Lax', 'veto_refresh=r1; Path=/api/auth/refresh; HttpOnly; SameSite=Strict']);
  });

  it('streams a large body to the backend and its answer back unchanged', async () => {
    const body = randomBytes(4 * 1024 * 1024);

    const response = await fetch(`${base}/api/echo`, { method: 'POST', body });

    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it.each(['/', '/api', '/api/usersx', '/api/ticketsfoo/1', '/metrics'])('answers %s with 404 NOT_FOUND problem+json', async (path) => {
    const response = await fetch(`${base}${path}`, { method: 'POST', body: 'ignored' });

    expect(response.status).toBe(GATEWAY_ERRORS.NOT_FOUND.status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', type: 'urn:veto:error:not_found' });
  });

  it('answers GET / itself with a self-contained page linking to the admin console and the docs', async () => {
    const response = await fetch(`${base}/?from=banner`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toContain('<a href="/admin">Admin console</a>');
    expect(html).toContain('<a href="/docs/api.md">api.md</a>');
    expect(html).toContain('<a href="/docs/operations.md">operations.md</a>');
    expect(html).not.toContain('notes.txt');
    expect(html).not.toMatch(/<script|src=|https?:\/\//);
  });

  it('answers HEAD / with the headers only', async () => {
    const response = await fetch(`${base}/`, { method: 'HEAD' });

    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([200, 'text/html; charset=utf-8', '']);
  });

  it('serves a Markdown file of the docs folder read-only, as plain text', async () => {
    const response = await fetch(`${base}/docs/operations.md`);

    expect([response.status, response.headers.get('content-type'), response.headers.get('x-content-type-options')]).toEqual([200, 'text/plain; charset=utf-8', 'nosniff']);
    expect(await response.text()).toBe('# Operations <ops>\n');
    expect((await fetch(`${base}/docs/api.md`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it.each(['/docs/../secret.md', '/docs/%2e%2e%2fsecret.md', '/docs/..%2fsecret.md', '/docs/notes.txt', '/docs/missing.md', '/docs/', '/docs', '/docs/./api.md', '/docs//api.md'])(
    'refuses %s with 404 NOT_FOUND',
    async (path) => {
      expect(await rawGet(base, path)).toEqual({ status: 404, type: 'application/problem+json' });
    },
  );

  it('answers 502 UPSTREAM_UNAVAILABLE when the backend is down, and /readyz names it', async () => {
    const down = createGateway({ logger: silent, routes: [{ prefix: '/api/tickets', upstream: await closedPortUrl(), name: 'tickets' }] });
    const downBase = await listen(down);
    try {
      const response = await fetch(`${downBase}/api/tickets`);

      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 502, code: 'UPSTREAM_UNAVAILABLE', type: 'urn:veto:error:upstream_unavailable' });
      const readyz = await fetch(`${downBase}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toMatchObject({ status: 'unavailable', checks: { tickets: expect.stringMatching(/^unreachable/) } });
    } finally {
      down.close();
    }
  });

  it('answers /healthz itself, and /readyz with 200 once every backend is ready and 503 while one is not', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const readyz = await fetch(`${base}/readyz`);
    expect(readyz.status).toBe(200);
    expect(await readyz.json()).toEqual({ status: 'ready', checks: { auth: 'ready', tickets: 'ready', signals: 'ready' } });

    const starting = backend('tickets', false);
    const mixed = createGateway({ logger: silent, routes: [{ prefix: '/api/tickets', upstream: await listen(starting), name: 'tickets' }] });
    const mixedBase = await listen(mixed);
    try {
      const answer = await fetch(`${mixedBase}/readyz`);
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ status: 'unavailable', checks: { tickets: 'not ready (503)' } });
    } finally {
      mixed.close();
      starting.close();
    }
  });

  it.each([
    [{ prefix: 'api', upstream: 'http://127.0.0.1:1', name: 'x' }],
    [{ prefix: '/api/', upstream: 'http://127.0.0.1:1', name: 'x' }],
    [{ prefix: '/api', upstream: 'https://127.0.0.1:1', name: 'x' }],
  ])('refuses a malformed route %j with a TypeError', (route) => {
    expect(() => createGateway({ logger: silent, routes: [route] })).toThrow(TypeError);
  });
});
