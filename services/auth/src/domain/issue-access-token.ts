import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Clock } from '../clock';
import type { Role } from '../data-access/schema';
import type { SigningKeys } from './signing-keys';

/** Everything needed to sign access tokens; built once at start-up. */
export interface AccessTokenSettings {
  readonly keys: SigningKeys;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  readonly clock: Clock;
}

/** The claims of a Veto access token. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly sid: string;
  readonly role: Role;
  /** NumericDate with millisecond precision (e.g. 1763862749.123). */
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** A signed access token. */
export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresAt: Date;
  readonly claims: AccessTokenClaims;
}

/**
 * Signs an ES256 access token. `iat` keeps milliseconds (a non-integer NumericDate,
 * allowed by RFC 7519) so a revocation watermark can tell apart a token issued just
 * after a revocation in the same second; `iat` and `exp` come from the injected clock.
 *
 * @param settings - keys, issuer, audience, lifetime, clock
 * @param subject - user id, session id and role
 * @returns the token, its expiry and its claims
 * @example
 * const { token } = issueAccessToken(settings, { userId: user.id, sessionId, role: user.role });
 */
export function issueAccessToken(settings: AccessTokenSettings, subject: { userId: string; sessionId: string; role: Role }): IssuedAccessToken {
  const nowMs = settings.clock();
  const iat = nowMs / 1000;
  const claims: AccessTokenClaims = {
    iss: settings.issuer,
    aud: settings.audience,
    sub: subject.userId,
    sid: subject.sessionId,
    role: subject.role,
    iat,
    exp: iat + settings.ttlSeconds,
    jti: randomUUID(),
  };
  const token = jwt.sign({ ...claims }, settings.keys.privateKey, { algorithm: 'ES256', keyid: settings.keys.kid });
  return { token, expiresAt: new Date(nowMs + settings.ttlSeconds * 1000), claims };
}
