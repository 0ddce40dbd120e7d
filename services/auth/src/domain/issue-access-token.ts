import { randomUUID } from 'node:crypto';
import { accessTokenTimes, toLowS, type AccessTokenClaims, type Role } from '@veto/auth-lib';
import jwt from 'jsonwebtoken';
import type { Clock } from '../clock';
import type { SigningKeys } from './signing-keys';

/** Everything needed to sign access tokens; built once at start-up. */
export interface AccessTokenSettings {
  readonly keys: SigningKeys;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/** A signed access token. */
export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresAt: Date;
  /** Exactly the claims signed, typed as auth-lib verifies them. */
  readonly claims: AccessTokenClaims;
}

/**
 * Signs an ES256 access token. `iat` and `exp` are whole seconds (a fractional `iat`, though
 * allowed by RFC 7519, is refused by PyJWT and others as issued in the future); the private claim
 * `iat_ms` keeps the millisecond so a revocation watermark can tell apart a token issued just
 * after a revocation in the same second. All three come from the injected clock, through
 * `accessTokenTimes` of @veto/auth-lib, the same function its verifier's tests use. The signature
 * is normalized to low-S, the only form verifiers accept.
 *
 * @param settings - keys, issuer, audience, lifetime, clock
 * @param subject - user id, session id and role
 * @returns the token, its expiry and its claims
 * @example
 * const { token } = issueAccessToken(settings, { userId: user.id, sessionId, role: user.role });
 */
export function issueAccessToken(settings: AccessTokenSettings, subject: { userId: string; sessionId: string; role: Role }): IssuedAccessToken {
  const times = accessTokenTimes(settings.clock(), settings.ttlSeconds);
  const claims: AccessTokenClaims = {
    iss: settings.issuer,
    aud: settings.audience,
    sub: subject.userId,
    sid: subject.sessionId,
    role: subject.role,
    ...times,
    jti: randomUUID(),
  };
  const token = toLowS(jwt.sign({ ...claims }, settings.keys.privateKey, { algorithm: 'ES256', keyid: settings.keys.kid }));
  return { token, expiresAt: new Date(times.exp * 1000), claims };
}
