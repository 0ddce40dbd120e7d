import { createRevocationVerification, type JsonWebKeySet, type KeyStore, type RevocationVerification } from '@veto/auth-lib';
import type { NatsConnection } from '@veto/events';
import type { Logger } from 'pino';
import type { Clock } from './clock';
import type { Config } from './config';

/** The verifier and the revocation state behind it. */
export type TokenVerification = RevocationVerification;

/** What {@link createTokenVerification} is built from. */
export interface TokenVerificationDeps {
  readonly nc: NatsConnection;
  readonly keys: JsonWebKeySet | KeyStore;
  readonly config: Pick<Config, 'issuer' | 'audience' | 'accessTokenTtlSeconds' | 'clockSkewSeconds' | 'revocationFailClosedAfterMs'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** JetStream stream and subject prefix of the auth events; the events package defaults when omitted (tests use random ones). */
  readonly stream?: string;
  readonly subjectPrefix?: string;
}

/**
 * Wires local token verification: a revocation cache fed by the fan-out revocation feed
 * (replaying the last `ttl + skew` first), and a verifier checking every token against it.
 *
 * @param deps - see {@link TokenVerificationDeps}
 * @returns the verifier, cache and feed (await `feed.ready` before reporting ready)
 * @throws TypeError from `@veto/auth-lib` for invalid settings
 * @example
 * const { verifier, cache, feed } = createTokenVerification({ nc, keys, config, clock: systemClock, logger });
 */
export function createTokenVerification(deps: TokenVerificationDeps): TokenVerification {
  const { config } = deps;
  return createRevocationVerification({
    nc: deps.nc,
    keys: deps.keys,
    issuer: config.issuer,
    audience: config.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
    clock: deps.clock,
    logger: deps.logger,
    // One debug line per applied event: when this instance started enforcing which revocation
    // (the propagation benchmark joins these lines to the bans it issued).
    onApplied: ({ event, seq, lagMs, live, changed }) =>
      deps.logger.debug({ eventId: event.id, type: event.type, seq, lagMs, appliedAt: performance.timeOrigin + performance.now(), live, changed }, 'revocation applied'),
    ...(deps.stream === undefined ? {} : { stream: deps.stream }),
    ...(deps.subjectPrefix === undefined ? {} : { subjectPrefix: deps.subjectPrefix }),
    ...(config.revocationFailClosedAfterMs === undefined ? {} : { failClosedAfterMs: config.revocationFailClosedAfterMs }),
  });
}
