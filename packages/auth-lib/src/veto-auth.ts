import { connectWithRetry, waitForStream, type Logger, type NatsConnection, type NodeConnectionOptions } from '@veto/events';
import { registerAuthMetrics, type MetricsRegistry } from './auth-metrics';
import { createJwksKeyStore, type JwksKeyStore } from './jwks-key-store';
import type { RevocationCache } from './revocation-cache';
import type { RevocationFeed, RevocationFeedReason, RevocationFeedState } from './revocation-feed';
import { createRevocationVerification, type RevocationVerification } from './revocation-verification';
import type { Verifier } from './verifier';
import { VETO_AUTH_DEFAULTS } from './veto-auth-defaults';

/** Options of {@link createVetoAuth}. */
export interface VetoAuthOptions {
  /** The auth service's JWKS endpoint, e.g. `http://auth:3001/.well-known/jwks.json`. */
  jwksUrl: string;
  /**
   * How to reach NATS: `servers` and credentials (`user`/`pass` or `token`), as `connect` of
   * `@veto/events` takes them. Reconnects are always on, forever.
   */
  nats: NodeConnectionOptions;
  /** Expected `iss`. Default `veto-auth`, the auth service's. */
  issuer?: string;
  /** Expected `aud`. Default `veto`, the auth service's. */
  audience?: string;
  /** Must equal the auth service's `ACCESS_TOKEN_TTL_SECONDS`. Default 900. */
  accessTokenTtlSeconds?: number;
  /** Tolerated clock difference. Default 30. */
  clockSkewSeconds?: number;
  /** A file keeping the last JWKS fetched, so a restart while the auth service is down still starts. */
  jwksCacheFile?: string;
  /** Refuse valid tokens (503 `REVOCATION_UNAVAILABLE`) once the feed is not current for this long. Default: keep serving. */
  failClosedAfterMs?: number;
  /** How long the first NATS connection is retried, and then how long the event stream is waited for. Default 60 000. */
  connectTimeoutMs?: number;
  /** Called once when the revocation feed stops for good; readiness is false from then on. */
  onFailure?: (err: unknown) => void;
  /** A pino-compatible logger. Default: silent. */
  logger?: Logger;
  /** JetStream stream and subject prefix of the auth events; the events package defaults when omitted. */
  stream?: string;
  subjectPrefix?: string;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** `closed` after {@link VetoAuth.close}, `failed` once the feed stopped for good, else the feed's state. */
export type VetoAuthState = RevocationFeedState | 'failed' | 'closed';

/** Whether the instance may take traffic; see {@link createVetoAuth}. */
export interface VetoReadiness {
  /** True only while the feed is caught up and current, not failed and not closed. */
  readonly ready: boolean;
  readonly state: VetoAuthState;
  /** Why the feed is not current, when it is not. */
  readonly reason: RevocationFeedReason | undefined;
  /** Resolves once the feed has replayed every revocation that can still matter; rejects when it stops before. */
  readonly caughtUp: Promise<void>;
}

/** The verification stack {@link createVetoAuth} wires. */
export interface VetoAuth {
  readonly verifier: Verifier;
  readonly cache: RevocationCache;
  readonly feed: RevocationFeed;
  readonly keys: JwksKeyStore;
  /** The NATS connection the feed follows (e.g. for `createEnforcementReporter`); closed by {@link close}. */
  readonly nc: NatsConnection;
  readonly readiness: VetoReadiness;
  /**
   * Registers the metrics of `registerAuthMetrics` (prom-client, an optional peer, is loaded
   * only here).
   *
   * @returns a function that unregisters them
   */
  registerMetrics(registry: MetricsRegistry): () => void;
  /** Resolves after {@link close}; rejects with the cause when the feed stops for good. */
  readonly closed: Promise<void>;
  /** Stops the feed and closes the NATS connection; idempotent. */
  close(): Promise<void>;
}

function checkOptions(options: VetoAuthOptions): void {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  if (typeof options.jwksUrl !== 'string' || options.jwksUrl.length === 0) throw new TypeError('jwksUrl must be a non-empty string');
  if (options.nats === null || typeof options.nats !== 'object') throw new TypeError('nats must be connection options with servers');
  if (options.onFailure !== undefined && typeof options.onFailure !== 'function') throw new TypeError('onFailure must be a function');
  const { connectTimeoutMs } = options;
  if (connectTimeoutMs !== undefined && (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs < 0)) {
    throw new TypeError('connectTimeoutMs must be a non-negative number');
  }
}

/**
 * Protects a service in one call: loads the auth service's keys (JWKS, refetched on an unknown
 * `kid`, optionally kept in a cache file), connects to NATS (reconnecting forever), and wires the
 * revocation cache, the feed replaying the last `ttl + skew`, and the verifier. Resolves once
 * keys, the connection and the event stream are there; the feed catches up in the background (`readiness.caughtUp`).
 * A feed that stops for good is logged, calls `onFailure`, rejects `closed` and turns readiness
 * false. The framework adapters (`@veto/auth-lib/express`, `@veto/auth-lib/fastify`) build on it.
 *
 * @param options - see {@link VetoAuthOptions}; issuer, audience, TTL and skew default to the auth service's
 * @throws TypeError for invalid options
 * @throws TokenError `JWKS_UNAVAILABLE` / `JWKS_INVALID` when the keys cannot be loaded
 * @throws EventError `CONNECT_FAILED` when NATS cannot be reached within `connectTimeoutMs`; `SUBSCRIPTION_FAILED`
 *   when the event stream (created by the auth service) does not appear within `connectTimeoutMs` either
 * @example
 * const auth = await createVetoAuth({ jwksUrl: 'http://auth:3001/.well-known/jwks.json', nats: { servers: 'nats://nats:4222' } });
 * const claims = auth.verifier.verify(token); // throws TokenError('TOKEN_REVOKED') etc.
 * await auth.close();
 */
export async function createVetoAuth(options: VetoAuthOptions): Promise<VetoAuth> {
  checkOptions(options);
  const {
    issuer = VETO_AUTH_DEFAULTS.issuer,
    audience = VETO_AUTH_DEFAULTS.audience,
    accessTokenTtlSeconds = VETO_AUTH_DEFAULTS.accessTokenTtlSeconds,
    clockSkewSeconds = VETO_AUTH_DEFAULTS.clockSkewSeconds,
    connectTimeoutMs = VETO_AUTH_DEFAULTS.connectTimeoutMs,
    clock = Date.now,
    logger,
  } = options;
  const keys = await createJwksKeyStore({
    url: options.jwksUrl,
    ...(options.jwksCacheFile === undefined ? {} : { cacheFile: options.jwksCacheFile }),
    ...(logger === undefined ? {} : { logger }),
  });
  const nc: NatsConnection = await connectWithRetry(
    { name: 'veto-auth-lib', ...options.nats, reconnect: true, maxReconnectAttempts: -1 },
    { giveUpAfterMs: connectTimeoutMs, ...(logger === undefined ? {} : { logger }) },
  );
  let verification: RevocationVerification;
  try {
    // Started before the auth service (a deployment starting everything at once), the stream may not
    // exist yet: wait for it, as long as for the connection, rather than fail the feed at once.
    await waitForStream(nc, { timeoutMs: connectTimeoutMs, ...(options.stream === undefined ? {} : { stream: options.stream }), ...(logger === undefined ? {} : { logger }) });
    verification = createRevocationVerification({
      nc,
      issuer,
      audience,
      keys,
      accessTokenTtlSeconds,
      clockSkewSeconds,
      clock,
      ...(logger === undefined ? {} : { logger }),
      ...(options.stream === undefined ? {} : { stream: options.stream }),
      ...(options.subjectPrefix === undefined ? {} : { subjectPrefix: options.subjectPrefix }),
      ...(options.failClosedAfterMs === undefined ? {} : { failClosedAfterMs: options.failClosedAfterMs }),
    });
  } catch (err) {
    await nc.close();
    throw err;
  }
  const { verifier, cache, feed } = verification;

  let closing: Promise<void> | undefined;
  let failure: { err: unknown } | undefined;
  const closed = feed.closed.then(
    () => undefined,
    (err: unknown) => {
      if (closing !== undefined) return;
      failure = { err };
      logger?.error({ err }, 'revocation feed stopped for good; this instance is no longer ready');
      options.onFailure?.(err);
      throw err;
    },
  );
  // Surfaced through readiness, the log and onFailure; a caller not awaiting `closed` must not crash on it.
  closed.catch(() => undefined);

  const state = (): VetoAuthState => {
    if (closing !== undefined) return 'closed';
    if (failure !== undefined) return 'failed';
    return feed.state;
  };

  const readiness: VetoReadiness = {
    get ready() {
      return state() === 'ready';
    },
    get state() {
      return state();
    },
    get reason() {
      return closing === undefined && failure === undefined ? feed.reason : undefined;
    },
    caughtUp: feed.ready,
  };

  return {
    verifier,
    cache,
    feed,
    keys,
    nc,
    readiness,
    registerMetrics(registry) {
      return registerAuthMetrics(registry, { verifier, cache, feed, clock });
    },
    closed,
    close() {
      closing ??= (async () => {
        // The feed may have failed already; its error was reported then.
        await feed.stop().catch(() => undefined);
        if (!nc.isClosed()) await nc.close();
      })();
      return closing;
    },
  };
}
