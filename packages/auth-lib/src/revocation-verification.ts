import { createRevocationFeed, type RevocationFeed, type RevocationFeedOptions } from './revocation-feed';
import { RevocationCache } from './revocation-cache';
import type { JsonWebKeySet, KeyStore } from './key-store';
import { createVerifier, type Verifier } from './verifier';

/** Options of {@link createRevocationVerification}: the feed's, without the cache it builds, and the tokens' issuer, audience and keys. */
export interface RevocationVerificationOptions extends Omit<RevocationFeedOptions, 'cache'> {
  /** Expected `iss`: the auth service's `JWT_ISSUER`. */
  issuer: string;
  /** Expected `aud`: the auth service's `JWT_AUDIENCE`. */
  audience: string;
  /** The auth service's public keys. */
  keys: JsonWebKeySet | KeyStore;
}

/** A verifier and the revocation state behind it. */
export interface RevocationVerification {
  readonly verifier: Verifier;
  readonly cache: RevocationCache;
  readonly feed: RevocationFeed;
}

/**
 * Wires local token verification the one way every Veto service does it: a revocation cache fed
 * by the revocation feed (replaying the last `ttl + skew` first), and a verifier checking every
 * token against it, with the same TTL the cache keeps entries for (a token living longer would
 * outlive its entry) and the feed's availability (for fail-closed).
 *
 * @param options - see {@link RevocationVerificationOptions}
 * @returns the verifier, cache and feed (await `feed.ready` before reporting ready; stop `feed` on shutdown)
 * @throws TypeError for invalid settings
 * @example
 * const { verifier, feed } = createRevocationVerification({ nc, keys, issuer: 'veto-auth', audience: 'veto', accessTokenTtlSeconds: 900, logger });
 */
export function createRevocationVerification(options: RevocationVerificationOptions): RevocationVerification {
  const { issuer, audience, keys, ...feedOptions } = options;
  const cache = new RevocationCache({
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    ...(options.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: options.clockSkewSeconds }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const feed = createRevocationFeed({ ...feedOptions, cache });
  const verifier = createVerifier({
    issuer,
    audience,
    keys,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    ...(options.clockSkewSeconds === undefined ? {} : { clockSkewSeconds: options.clockSkewSeconds }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    revocations: cache,
    isRevocationAvailable: feed.isRevocationAvailable,
  });
  return { verifier, cache, feed };
}
