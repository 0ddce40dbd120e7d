import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/** The RISC event type a Veto ban becomes. */
export const ACCOUNT_DISABLED = 'https://schemas.openid.net/secevent/risc/event-type/account-disabled';

/** The claims of a verified Security Event Token that the signals suite reads. */
export interface SecurityEventClaims {
  readonly iss: string;
  readonly jti: string;
  readonly aud: string | readonly string[];
  /** The Veto event id. */
  readonly txn: string;
  /** When the Veto event happened, whole seconds. */
  readonly toe?: number;
  readonly sub_id: Record<string, unknown>;
  readonly events: Record<string, unknown>;
}

/** What a SET must carry besides a valid signature. */
export interface SecurityEventExpectations {
  readonly issuer: string;
  readonly audience: string;
}

/**
 * The RS256 keys of a JWKS document as KeyObjects, by `kid`; other keys are skipped.
 *
 * @param jwks - `{ keys: [...] }` as the transmitter serves it
 * @throws TypeError when the document has no `keys` array
 * @example
 * const keys = rsaKeysOf(await (await fetch(`${signals.url}/jwks.json`)).json());
 */
export function rsaKeysOf(jwks: unknown): Map<string, KeyObject> {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new TypeError('a JWKS needs a keys array');
  const byKid = new Map<string, KeyObject>();
  for (const jwk of keys as (JsonWebKey & { kid?: unknown; alg?: unknown })[]) {
    if (jwk.kty !== 'RSA' || typeof jwk.kid !== 'string' || (jwk.alg !== undefined && jwk.alg !== 'RS256')) continue;
    byKid.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
  }
  return byKid;
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new Error(`the SET's ${what} is not a JSON object`);
}

/**
 * Verifies a Security Event Token as a receiver would (RFC 8417, SSF 1.0 §4.1): compact JWS,
 * header `typ: secevent+jwt`, `alg: RS256` and a `kid` of the JWKS, a valid signature, `iss` and
 * `aud` as expected, a `jti`, a `txn` and exactly one event; returns its claims.
 *
 * @param token - the compact SET, as pushed or polled
 * @param keys - from {@link rsaKeysOf}
 * @param expected - the transmitter's issuer and the receiver's audience
 * @throws Error naming what is wrong
 * @example
 * const claims = verifySecurityEvent(body, keys, { issuer, audience: receiverId });
 */
export function verifySecurityEvent(token: string, keys: ReadonlyMap<string, KeyObject>, expected: SecurityEventExpectations): SecurityEventClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('a SET is a compact JWS of three parts');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart, 'header');
  if (header.typ !== 'secevent+jwt') throw new Error(`the SET's typ is ${String(header.typ)}, not secevent+jwt`);
  if (header.alg !== 'RS256') throw new Error(`the SET's alg is ${String(header.alg)}, not RS256`);
  const key = typeof header.kid === 'string' ? keys.get(header.kid) : undefined;
  if (key === undefined) throw new Error(`the SET's kid ${String(header.kid)} is not in the JWKS`);
  if (!verify('sha256', Buffer.from(`${headerPart}.${payloadPart}`), key, Buffer.from(signaturePart, 'base64url'))) throw new Error("the SET's signature does not verify");
  const claims = decodePart(payloadPart, 'payload');
  if (claims.iss !== expected.issuer) throw new Error(`the SET's iss is ${String(claims.iss)}, not ${expected.issuer}`);
  const audience = claims.aud;
  if (!(audience === expected.audience || (Array.isArray(audience) && audience.includes(expected.audience)))) throw new Error(`the SET's aud does not name ${expected.audience}`);
  if (typeof claims.jti !== 'string' || claims.jti === '') throw new Error('the SET has no jti');
  if (typeof claims.txn !== 'string') throw new Error('the SET has no txn');
  const events = claims.events;
  if (typeof events !== 'object' || events === null || Object.keys(events).length !== 1) throw new Error('a SET carries exactly one event');
  if (typeof claims.sub_id !== 'object' || claims.sub_id === null) throw new Error('the SET has no sub_id');
  return claims as unknown as SecurityEventClaims;
}
