import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer, request as upstreamRequest, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '@veto/events';
import { LocalStackError, type LocalStackErrorCode } from './errors';
import { homePage, listDocs } from './home-page';

/** Requests whose path is `prefix` or lies under it go to `upstream`, unchanged unless `stripPrefix`. */
export interface GatewayRoute {
  /** Starts with `/`, no trailing `/`: `/api/users` matches `/api/users` and `/api/users/me`, not `/api/usersx`. */
  readonly prefix: string;
  /** The backend's base URL, `http://127.0.0.1:3001`. */
  readonly upstream: string;
  /** The backend's name in readiness checks and messages. */
  readonly name: string;
  /** Send the path without `prefix` (`/signals/ssf/status?x` as `/ssf/status?x`, `/signals` as `/`): a service mounted under a path it does not know. */
  readonly stripPrefix?: boolean;
}

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  /** Tried in order; the first matching prefix wins. */
  readonly routes: readonly GatewayRoute[];
  /** Receives upstream failures. */
  readonly logger: Logger;
  /** How long `/readyz` waits for each backend's `/readyz`; 2 s by default. */
  readonly readinessTimeoutMs?: number;
  /** The repository's `docs/`: its Markdown files are served read-only under `/docs/` and linked from `/`. */
  readonly docsDirectory?: string;
}

// Hop-by-hop headers describe one connection, so a proxy never forwards them (RFC 9110, 7.6.1).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** The codes the gateway answers with itself. */
export type GatewayErrorCode = Extract<LocalStackErrorCode, 'NOT_FOUND' | 'UPSTREAM_UNAVAILABLE'>;

/** The status and title of each gateway code, mapped once here at the edge. */
export const GATEWAY_ERRORS: Readonly<Record<GatewayErrorCode, { readonly status: number; readonly title: string }>> = Object.freeze({
  NOT_FOUND: { status: 404, title: 'Not found' },
  UPSTREAM_UNAVAILABLE: { status: 502, title: 'Upstream unavailable' },
});

/** A request the gateway answers itself with a problem. */
class GatewayError extends LocalStackError {
  declare readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

function hopByHop(headers: IncomingHttpHeaders): Set<string> {
  const names = new Set(HOP_BY_HOP);
  for (const token of (headers.connection ?? '').split(',')) {
    if (token.trim()) names.add(token.trim().toLowerCase());
  }
  return names;
}

function sendProblem(res: ServerResponse, error: GatewayError): void {
  const { status, title } = GATEWAY_ERRORS[error.code];
  const body = JSON.stringify({ type: `urn:veto:error:${error.code.toLowerCase()}`, title, status, detail: error.message, code: error.code });
  res.writeHead(status, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body) }).end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' }).end(body);
}

// The gateway's own pages: nothing but themselves, never framed, never sniffed.
const OWN_PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-cache',
};

function sendText(req: IncomingMessage, res: ServerResponse, type: string, text: string): void {
  res.writeHead(200, { ...OWN_PAGE_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Answers `/` and `/docs/<name>.md` for GET and HEAD; false for any other request. */
function servedItself(req: IncomingMessage, res: ServerResponse, path: string, docsDirectory: string | undefined, docs: ReadonlySet<string>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  if (path === '/') {
    sendText(req, res, 'text/html; charset=utf-8', homePage([...docs]));
    return true;
  }
  const name = path.startsWith('/docs/') ? path.slice('/docs/'.length) : undefined;
  if (docsDirectory === undefined || name === undefined || !docs.has(name)) return false;
  // Plain text, which every browser shows inline (some download text/markdown).
  readFile(join(docsDirectory, name), 'utf8').then(
    (text) => sendText(req, res, 'text/plain; charset=utf-8', text),
    () => sendProblem(res, new GatewayError('NOT_FOUND', `No document ${name}`)),
  );
  return true;
}

function requestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const skip = hopByHop(req.headers);
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!skip.has(name) && value !== undefined) headers[name] = value;
  }
  const client = req.socket.remoteAddress ?? 'unknown';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${client}` : client;
  // This gateway is the edge: the client spoke plain HTTP to it, whatever the request claims.
  headers['x-forwarded-proto'] = 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  return headers;
}

/** The upstream's headers as a flat [name, value, ...] list, so repeated ones (Set-Cookie) stay separate and in order. */
function responseHeaders(res: IncomingMessage): string[] {
  const skip = hopByHop(res.headers);
  const flat: string[] = [];
  for (let i = 0; i < res.rawHeaders.length; i += 2) {
    const name = res.rawHeaders[i] as string;
    if (!skip.has(name.toLowerCase())) flat.push(name, res.rawHeaders[i + 1] as string);
  }
  return flat;
}

function matches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function validate(routes: readonly GatewayRoute[]): void {
  for (const route of routes) {
    if (!/^\/[^?#]*[^/?#]$/.test(route.prefix)) throw new TypeError(`createGateway: prefix must start with / and not end with /, got ${JSON.stringify(route.prefix)}`);
    if (new URL(route.upstream).protocol !== 'http:') throw new TypeError(`createGateway: upstream must be an http:// URL, got ${JSON.stringify(route.upstream)}`);
  }
}

/** The request's path and query as the backend gets them. */
function upstreamPath(url: string, route: GatewayRoute): string {
  if (!route.stripPrefix) return url;
  const rest = url.slice(route.prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function forward(req: IncomingMessage, res: ServerResponse, route: GatewayRoute, logger: Logger): void {
  const target = new URL(route.upstream);
  const path = upstreamPath(req.url ?? '/', route);
  const upstream = upstreamRequest({ hostname: target.hostname, port: target.port, method: req.method, path, headers: requestHeaders(req) });
  upstream.on('response', (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer));
    answer.pipe(res);
    answer.on('error', (error) => res.destroy(error));
  });
  upstream.on('error', (error) => {
    logger.warn({ upstream: route.name, method: req.method, url: req.url, err: error }, 'upstream request failed');
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    sendProblem(res, new GatewayError('UPSTREAM_UNAVAILABLE', `${route.name} (${route.upstream}) did not answer: ${error.message}`, { cause: error }));
  });
  // A client that goes away mid-request must not leave the upstream request open.
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

async function readiness(routes: readonly GatewayRoute[], timeoutMs: number): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const backends = new Map(routes.map((route) => [route.name, route.upstream]));
  const checks: Record<string, string> = {};
  await Promise.all(
    [...backends].map(async ([name, base]) => {
      checks[name] = await fetch(new URL('/readyz', base), { signal: AbortSignal.timeout(timeoutMs) }).then(
        (answer) => (answer.status === 200 ? 'ready' : `not ready (${answer.status})`),
        (error: unknown) => `unreachable (${(error as Error).message})`,
      );
    }),
  );
  return { ready: Object.values(checks).every((state) => state === 'ready'), checks };
}

/**
 * A small streaming reverse proxy for one origin in front of several services, routing by path
 * prefix like the Kubernetes ingress (a route may strip its prefix). Bodies stream both ways; cookies and every other end-to-end
 * header pass unchanged; `X-Forwarded-For`/`-Proto`/`-Host` are set. It answers `/healthz` and
 * `/readyz` (every backend's `/readyz` is 200) itself, and for GET and HEAD its root page `/`
 * (links to `/admin` and the docs) and the Markdown files of `docsDirectory` under `/docs/`, as
 * plain text (only the names found there at creation: no path is built from the request).
 * Listen on it like any `http.Server`.
 *
 * @param options - `routes`, `logger`, `readinessTimeoutMs`, `docsDirectory`
 * @returns the server, not yet listening
 * @throws TypeError for a malformed prefix or a non-http upstream. Requests get problem+json 404 `NOT_FOUND`
 *   for a path no route matches and 502 `UPSTREAM_UNAVAILABLE` when the backend does not answer.
 * @example
 * const gateway = createGateway({ routes: [{ prefix: '/api/users', upstream: 'http://127.0.0.1:3001', name: 'auth' }], logger });
 * gateway.listen(3000, '127.0.0.1');
 */
export function createGateway(options: GatewayOptions): Server {
  validate(options.routes);
  const timeoutMs = options.readinessTimeoutMs ?? 2_000;
  const docs: ReadonlySet<string> = new Set(options.docsDirectory === undefined ? [] : listDocs(options.docsDirectory));
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (servedItself(req, res, path, options.docsDirectory, docs)) {
      return;
    }
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/readyz') {
      readiness(options.routes, timeoutMs).then(
        ({ ready, checks }) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks }),
        (error: unknown) => res.destroy(error as Error),
      );
      return;
    }
    const route = options.routes.find((candidate) => matches(path, candidate.prefix));
    if (!route) {
      sendProblem(res, new GatewayError('NOT_FOUND', `No route for ${path}`));
      // The body of an unrouted request is not read; drop it rather than keep the socket busy.
      req.resume();
      return;
    }
    forward(req, res, route, options.logger);
  });
}
