import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '@veto/events';
import { TokenError, createRevocationFeed, createVerifier, RevocationCache, type JsonWebKeySet, type RevocationFeed } from '@veto/auth-lib';

/** What the greeting service needs; a test passes the bus, test keys and a test clock. */
export interface GreetingServiceOptions {
  natsUrl: string;
  /** The stream and subject prefix the revocation events are on; the production defaults when omitted. */
  stream?: string;
  subjectPrefix?: string;
  keys: JsonWebKeySet;
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  clockSkewSeconds: number;
  /** Injected so a test can replay a recording from the past; `Date.now` by default. */
  clock?: () => number;
}

/** A running greeting service. */
export interface GreetingService {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly feed: RevocationFeed;
  stop(): Promise<void>;
}

function sendProblem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: `urn:veto:error:${code.toLowerCase()}`, title: code, status, detail, code }));
}

/**
 * A tiny service of a Veto user: `GET /hello` greets the token's user, or answers 401 with the
 * verifier's code (`TOKEN_REVOKED` for a banned user). It listens only once its revocation feed
 * has replayed the stream, as a real service reports ready only then.
 *
 * @param options - see {@link GreetingServiceOptions}
 * @throws Error when NATS is unreachable; TokenError from the feed when it fails for good
 * @example
 * const service = await startGreetingService({ natsUrl: bus.servers, stream: bus.stream, subjectPrefix: bus.subjectPrefix, ... });
 */
export async function startGreetingService(options: GreetingServiceOptions): Promise<GreetingService> {
  const { accessTokenTtlSeconds, clockSkewSeconds, clock = Date.now } = options;
  const nc = await connect({ servers: options.natsUrl });
  const cache = new RevocationCache({ accessTokenTtlSeconds, clockSkewSeconds, clock });
  const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds, clockSkewSeconds, clock, stream: options.stream, subjectPrefix: options.subjectPrefix });
  const verifier = createVerifier({ issuer: options.issuer, audience: options.audience, keys: options.keys, accessTokenTtlSeconds, clockSkewSeconds, clock, revocations: cache });

  const server = createServer((req, res) => {
    if (req.method !== 'GET' || req.url !== '/hello') return sendProblem(res, 404, 'NOT_FOUND', `no route ${req.method} ${req.url}`);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined) return sendProblem(res, 401, 'TOKEN_MISSING', 'send Authorization: Bearer <token>');
    try {
      const claims = verifier.verify(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ hello: claims.sub }));
    } catch (error) {
      // verify throws only TokenErrors; anything else is a bug this example does not hide behind a 401.
      if (!(error instanceof TokenError)) return sendProblem(res, 500, 'INTERNAL', 'unexpected error');
      sendProblem(res, 401, error.code, error.message);
    }
  });
  await feed.ready;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    feed,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await feed.stop();
      await nc.close();
    },
  };
}
