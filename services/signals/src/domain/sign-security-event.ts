import jwt from 'jsonwebtoken';
import type { SecurityEventClaims } from './security-event-claims';
import type { SigningKey } from './signing-key';

/** The JOSE header of every SET: explicitly typed (RFC 8417 §2.3, SSF 1.0 §4.1.1), RS256, the key's id. */
export interface SecurityEventHeader {
  readonly typ: 'secevent+jwt';
  readonly alg: 'RS256';
  readonly kid: string;
}

/**
 * Signs SET claims with the transmitter's key into a compact JWS. RSASSA-PKCS1-v1_5 is
 * deterministic, so the same claims and key always give the same token.
 *
 * @param claims - from `claimsForEvent`, `claimsForVerification` or `claimsForStreamUpdate`
 * @param key - the transmitter's RS256 key
 * @returns the Security Event Token
 * @example
 * const token = signSecurityEvent(claimsForEvent(event, stream, context), key);
 */
export function signSecurityEvent(claims: SecurityEventClaims, key: SigningKey): string {
  const header: SecurityEventHeader = { typ: 'secevent+jwt', alg: 'RS256', kid: key.kid };
  // jsonwebtoken keeps the claims' own `iat` and adds no `exp`, `nbf` or `sub` unless asked.
  return jwt.sign({ ...claims }, key.privateKey, { algorithm: 'RS256', header });
}
