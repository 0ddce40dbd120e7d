import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One SET the receiver accepted (answered 202). */
export interface ReceivedSet {
  readonly jti: string;
  /** `sub_id.sub` of an `iss_sub` subject: the Veto user id; undefined for other subjects. */
  readonly sub: string | undefined;
  /** The one member of `events`. */
  readonly eventType: string;
  /** The Veto event id (`txn`). */
  readonly txn: string | undefined;
  /** `performance.now()` when it arrived. */
  readonly receivedAt: number;
}

/** An RFC 8935 push endpoint that verifies every SET and can be taken down and brought back. */
export interface SetReceiver {
  /** `http://127.0.0.1:<port>/events`, fixed across outages. */
  readonly endpointUrl: string;
  /** Every SET answered 202, in arrival order, duplicates included. */
  readonly received: readonly ReceivedSet[];
  /** SETs refused (a bad signature, `typ`, `iss` or `aud`), with the reason, for failure messages. */
  readonly refused: readonly string[];
  /** Push attempts that arrived, accepted or refused. */
  requests(): number;
  /** The `aud` every SET must carry (the stream's, known once it is created). */
  expectAudience(aud: string): void;
  /** Stops listening and drops open connections: pushes fail with a network error. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const fromBase64url = (part: string) => Buffer.from(part, 'base64url');

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts a push receiver on a free port. Each SET's RS256 signature is checked with the
 * transmitter's JWKS (`jwksUrl`, fetched again when a SET names an unknown `kid`), then its
 * `typ` (`secevent+jwt`), `iss` and `aud`; a good SET is recorded and answered 202, a bad one
 * 400 `{ err, description }` (RFC 8935 §2.3).
 *
 * @example
 * const receiver = await startSetReceiver({ jwksUrl: `${signals.url}/jwks.json`, issuer: signals.url });
 * await receiver.down();
 * await receiver.up();
 */
/** The transmitter's JWKS could not be fetched: the SET is neither accepted nor refused, the transmitter retries. */
const KEYS_UNAVAILABLE = Symbol('keys unavailable');

export async function startSetReceiver(options: { jwksUrl: string; issuer: string }): Promise<SetReceiver> {
  const received: ReceivedSet[] = [];
  const refused: string[] = [];
  let requests = 0;
  let audience: string | undefined;
  const keys = new Map<string, KeyObject>();

  const keyFor = async (kid: string): Promise<KeyObject | undefined | typeof KEYS_UNAVAILABLE> => {
    if (!keys.has(kid)) {
      // The transmitter may be down right now (the scenario kills it): RFC 8935 §2.3 `invalid_key`,
      // which it retries, rather than a refusal of the SET.
      const response = await fetch(options.jwksUrl).catch(() => undefined);
      if (response === undefined || !response.ok) return KEYS_UNAVAILABLE;
      const jwks = (await response.json()) as { keys: (JsonWebKey & { kid: string })[] };
      for (const jwk of jwks.keys) keys.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    return keys.get(kid);
  };

  // The reason a SET is refused, or its record.
  const check = async (token: string): Promise<ReceivedSet | string | typeof KEYS_UNAVAILABLE> => {
    const parts = token.split('.');
    if (parts.length !== 3) return 'not a compact JWS';
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = JSON.parse(fromBase64url(headerPart).toString('utf8')) as { typ?: string; alg?: string; kid?: string };
    if (header.typ !== 'secevent+jwt') return `typ ${String(header.typ)}`;
    if (header.alg !== 'RS256') return `alg ${String(header.alg)}`;
    const key = await keyFor(header.kid ?? '');
    if (key === KEYS_UNAVAILABLE) return KEYS_UNAVAILABLE;
    if (key === undefined) return `unknown kid ${String(header.kid)}`;
    if (!verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key, fromBase64url(signaturePart))) return 'bad signature';
    const claims = JSON.parse(fromBase64url(payloadPart).toString('utf8')) as {
      iss?: string;
      aud?: string | string[];
      jti?: string;
      txn?: string;
      sub_id?: { format?: string; sub?: string };
      events?: Record<string, unknown>;
    };
    if (claims.iss !== options.issuer) return `iss ${String(claims.iss)}`;
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    if (audience === undefined || !audiences.includes(audience)) return `aud ${JSON.stringify(claims.aud)}`;
    const eventTypes = Object.keys(claims.events ?? {});
    if (typeof claims.jti !== 'string' || eventTypes.length !== 1) return 'no jti, or not exactly one event';
    const sub = claims.sub_id?.format === 'iss_sub' ? claims.sub_id.sub : undefined;
    return { jti: claims.jti, sub, eventType: eventTypes[0]!, txn: claims.txn, receivedAt: performance.now() };
  };

  const server: Server = createServer((request, response) => {
    requests += 1;
    readBody(request)
      .then(async (body) => {
        const outcome = request.method === 'POST' && request.headers['content-type'] === 'application/secevent+jwt' ? await check(body.trim()) : 'not a SET push';
        if (outcome === KEYS_UNAVAILABLE) {
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_key', description: 'the JWKS could not be fetched; retry' }));
          return;
        }
        if (typeof outcome === 'string') {
          refused.push(outcome);
          response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request', description: outcome }));
          return;
        }
        received.push(outcome);
        response.writeHead(202).end();
      })
      .catch((error: unknown) => {
        refused.push(`unreadable: ${(error as Error).message}`);
        if (!response.headersSent) response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ err: 'invalid_request' }));
      });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  let listening = true;
  return {
    endpointUrl: `http://127.0.0.1:${port}/events`,
    received,
    refused,
    requests: () => requests,
    expectAudience(aud) {
      audience = aud;
    },
    async down() {
      if (!listening) return;
      listening = false;
      await stopListening();
    },
    async up() {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    async close() {
      if (!listening) return;
      listening = false;
      await stopListening();
    },
  };
}
