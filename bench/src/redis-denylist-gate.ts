import type { KeyObject } from 'node:crypto';
import type { AccessTokenClaims, KeyEntry } from '@veto/auth-lib';
import type { RequestHandler } from 'express';
import { expressjwt, UnauthorizedError } from 'express-jwt';

/** Why the Redis gate refused a request when the token itself was fine. */
export type RedisDenylistGateCode = 'DENYLIST_UNAVAILABLE';

/** Redis could not be asked; the gate fails closed. */
export class RedisDenylistGateError extends Error {
  readonly code: RedisDenylistGateCode;

  constructor(code: RedisDenylistGateCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The one Redis command the gate needs; node-redis's client fits it. */
export interface DenylistStore {
  exists(keys: string[]): Promise<number>;
}

/** Options of {@link redisDenylistGate}. */
export interface RedisDenylistGateOptions {
  /** A connected client; with its offline queue disabled, a stopped Redis fails a request at once instead of queueing it. */
  readonly redis: DenylistStore;
  /** The auth service's public keys, as KeyObjects by kid (what `keysFromJwks` gives). */
  readonly keys: readonly KeyEntry[];
  readonly issuer: string;
  readonly audience: string;
}

/** The Redis key whose existence revokes every token of a user (a ban). */
export function revokedUserKey(sub: string): string {
  return `revoked:user:${sub}`;
}

/** The Redis key whose existence revokes one token (a logout). */
export function revokedTokenKey(jti: string): string {
  return `revoked:jti:${jti}`;
}

/**
 * The Redis denylist baseline: express-jwt verifies the ES256 token locally against KeyObjects,
 * and its `isRevoked` hook asks Redis on every request whether the token or its user is revoked,
 * in one round trip: `EXISTS revoked:jti:<jti> revoked:user:<sub>`. The jti key is what jwt-redis
 * and express-jwt's `isRevoked` example check; the user key is what a ban needs.
 *
 * @param options - see {@link RedisDenylistGateOptions}
 * @throws UnauthorizedError (via `next`, express-jwt's, status 401) `invalid_token`,
 *   `revoked_token`, `credentials_required`; RedisDenylistGateError `DENYLIST_UNAVAILABLE` when
 *   Redis does not answer
 * @example
 * app.use(redisDenylistGate({ redis, keys: keysFromJwks(jwks), issuer, audience }), ticketsApp);
 */
export function redisDenylistGate(options: RedisDenylistGateOptions): RequestHandler {
  const keys = new Map<string, KeyObject>(options.keys.map((entry) => [entry.kid, entry.key]));
  return expressjwt({
    algorithms: ['ES256'],
    issuer: options.issuer,
    audience: options.audience,
    secret: (_req, token) => {
      const key = keys.get(token?.header.kid ?? '');
      if (key === undefined) throw new UnauthorizedError('invalid_token', { message: 'unknown kid' });
      return key;
    },
    isRevoked: async (_req, token) => {
      const { sub, jti } = (token?.payload ?? {}) as Partial<AccessTokenClaims>;
      if (sub === undefined || jti === undefined) return true;
      try {
        return (await options.redis.exists([revokedTokenKey(jti), revokedUserKey(sub)])) > 0;
      } catch (cause) {
        throw new RedisDenylistGateError('DENYLIST_UNAVAILABLE', 'the Redis denylist did not answer', { cause });
      }
    },
  }) as RequestHandler;
}
