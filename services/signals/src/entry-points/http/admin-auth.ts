import { createRevocationVerification, type JsonWebKeySet, type KeyStore, type RevocationCache, type RevocationFeed, type Verifier } from '@veto/auth-lib';
import { authenticate, requireRole } from '@veto/auth-lib/express';
import type { NatsConnection } from '@veto/events';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { Clock } from '../../clock';
import type { Config } from '../../config';

/** How admin requests are checked: a Veto access-token verifier and, in production, the revocation feed it follows. */
export interface AdminAuth {
  /** From `createVerifier` of `@veto/auth-lib`, wired to the revocation cache. */
  readonly verifier: Verifier;
  /** While it has not caught up, valid tokens get 503 `REVOCATION_NOT_READY` (a banned admin's token is not trusted before). */
  readonly feed?: { readonly isReady: boolean };
}

/**
 * Admits Veto access tokens with the `admin` role, verified locally (signature, issuer, audience,
 * lifetime, revocations) from `Authorization: Bearer` or the access cookie. Refusals are
 * `@veto/auth-lib`'s: 401 `TOKEN_MISSING`, `TOKEN_EXPIRED`, `TOKEN_REVOKED`…, 403 `FORBIDDEN_ROLE`,
 * answered by its `authErrorHandler`.
 *
 * @param auth - see {@link AdminAuth}
 * @returns the middleware chain for the admin router
 * @example
 * app.use('/api/admin', ...adminOnly(adminAuth), adminRoutes);
 */
export function adminOnly(auth: AdminAuth): RequestHandler[] {
  return [authenticate(auth.verifier, auth.feed === undefined ? {} : { feed: auth.feed }), requireRole('admin')];
}

/** What {@link createAdminAuth} is built from. */
export interface AdminAuthDeps {
  /** The service's NATS connection: the revocation feed follows the `AUTH` stream on it. */
  readonly nc: NatsConnection;
  /** The auth service's public keys (`createJwksKeyStore({ url: config.jwksUrl })` in production). */
  readonly keys: JsonWebKeySet | KeyStore;
  /** `JWT_ISSUER` (the expected `iss`), `JWT_AUDIENCE`, `ACCESS_TOKEN_TTL_SECONDS`, `CLOCK_SKEW_SECONDS`. */
  readonly config: Pick<Config, 'subjectIssuer' | 'audience' | 'accessTokenTtlSeconds' | 'clockSkewSeconds'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** JetStream stream and subject prefix of the auth events; the events package defaults when omitted (tests use random ones). */
  readonly stream?: string;
  readonly subjectPrefix?: string;
}

/**
 * Wires the admin token check as every Veto service does: a revocation cache fed by the revocation
 * feed (replaying the last `ttl + skew` first), and a verifier checking tokens against it. The
 * caller stops `feed` on shutdown.
 *
 * @param deps - see {@link AdminAuthDeps}
 * @returns the verifier and feed for `createApp`'s `adminAuth`, and the cache
 * @throws TypeError from `@veto/auth-lib` for invalid settings
 * @example
 * const keys = await createJwksKeyStore({ url: config.jwksUrl, logger });
 * const { verifier, feed } = createAdminAuth({ nc, keys, config, clock: systemClock, logger });
 */
export function createAdminAuth(deps: AdminAuthDeps): AdminAuth & { readonly feed: RevocationFeed; readonly cache: RevocationCache } {
  const { config } = deps;
  return createRevocationVerification({
    nc: deps.nc,
    keys: deps.keys,
    issuer: config.subjectIssuer,
    audience: config.audience,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    clockSkewSeconds: config.clockSkewSeconds,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.stream === undefined ? {} : { stream: deps.stream }),
    ...(deps.subjectPrefix === undefined ? {} : { subjectPrefix: deps.subjectPrefix }),
  });
}
