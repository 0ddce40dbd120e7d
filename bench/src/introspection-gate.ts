import { Agent, request } from 'node:http';
import type { RequestHandler } from 'express';

/** Why the gate refused a request; the bench server maps it to a problem response. */
export type IntrospectionGateCode = 'INTROSPECTION_INACTIVE' | 'INTROSPECTION_UNAVAILABLE';

/** A refusal of the introspection gate, with a stable code. */
export class IntrospectionGateError extends Error {
  readonly code: IntrospectionGateCode;

  constructor(code: IntrospectionGateCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Options of {@link introspectionGate}. */
export interface IntrospectionGateOptions {
  /** The auth service's RFC 7662 endpoint, e.g. `http://127.0.0.1:3001/api/auth/introspect`. */
  readonly url: string;
  /** The client secret the endpoint expects (`INTROSPECTION_CLIENT_SECRET`), sent as Bearer credentials. */
  readonly clientSecret: string;
  /** Gives up after this long; default 2,000 ms. */
  readonly timeoutMs?: number;
}

function introspect(url: URL, agent: Agent, clientSecret: string, token: string, timeoutMs: number): Promise<boolean> {
  const body = new URLSearchParams({ token, token_type_hint: 'access_token' }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: {
          authorization: `Bearer ${clientSecret}`,
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new IntrospectionGateError('INTROSPECTION_UNAVAILABLE', `introspection answered ${res.statusCode}`));
            return;
          }
          try {
            resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { active?: unknown }).active === true);
          } catch (cause) {
            reject(new IntrospectionGateError('INTROSPECTION_UNAVAILABLE', 'introspection answered no JSON', { cause }));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new IntrospectionGateError('INTROSPECTION_UNAVAILABLE', `introspection took over ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Option 1 of the design brief as express middleware: every request's Bearer token is sent to
 * the auth service's introspection endpoint (RFC 7662, form-encoded, over a keep-alive agent)
 * and the request goes on only when the answer is `active: true`. What follows it is the same
 * tickets app as in the other modes.
 *
 * @param options - see {@link IntrospectionGateOptions}
 * @throws IntrospectionGateError (via `next`) `INTROSPECTION_INACTIVE` for an inactive or
 *   missing token, `INTROSPECTION_UNAVAILABLE` when the auth service does not answer properly
 * @example
 * app.use(introspectionGate({ url, clientSecret }), ticketsApp);
 */
export function introspectionGate(options: IntrospectionGateOptions): RequestHandler {
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const timeoutMs = options.timeoutMs ?? 2_000;
  return (req, _res, next) => {
    const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) {
      next(new IntrospectionGateError('INTROSPECTION_INACTIVE', 'no Bearer token'));
      return;
    }
    introspect(url, agent, options.clientSecret, token, timeoutMs).then(
      (active) => next(active ? undefined : new IntrospectionGateError('INTROSPECTION_INACTIVE', 'the auth service says the token is not active')),
      (cause: unknown) =>
        next(cause instanceof IntrospectionGateError ? cause : new IntrospectionGateError('INTROSPECTION_UNAVAILABLE', 'the auth service did not answer', { cause })),
    );
  };
}
