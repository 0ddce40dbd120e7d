// ECDSA signatures are malleable: if (r, s) is valid, so is (r, n - s). Veto accepts only the
// low-S form (s <= n/2), as Bitcoin (BIP 62/146) and Ethereum do, so every token has one
// signature. OpenSSL, behind node:crypto and jsonwebtoken, does not normalize: about half of the
// signatures it makes are high-S, hence the issuer normalizes after signing.

// The order of the P-256 group (SEC 2, §2.4.2).
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
// n is odd, so s > n/2 exactly when s > floor(n/2).
const P256_HALF_ORDER = P256_ORDER >> 1n;
// r || s, 32 bytes each (JWS, RFC 7518 §3.4).
const COMPONENT_BYTES = 32;

function sOf(signature: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(signature.subarray(COMPONENT_BYTES)).toString('hex')}`);
}

function withS(signature: Uint8Array, s: bigint): Buffer {
  const out = Buffer.alloc(2 * COMPONENT_BYTES);
  out.set(signature.subarray(0, COMPONENT_BYTES));
  out.write(s.toString(16).padStart(2 * COMPONENT_BYTES, '0'), COMPONENT_BYTES, 'hex');
  return out;
}

function checkLength(signature: Uint8Array): void {
  if (signature.length !== 2 * COMPONENT_BYTES) throw new TypeError('an ES256 signature is 64 bytes (r || s)');
}

function splitJws(token: string): [signingInput: string, signature: Buffer] {
  if (token.split('.').length !== 3) throw new TypeError('not a compact JWS');
  const dot = token.lastIndexOf('.');
  return [token.slice(0, dot), Buffer.from(token.slice(dot + 1), 'base64url')];
}

/**
 * Tells whether an ES256 signature is in its high-S form (s > n/2), which Veto rejects.
 *
 * @param signature - the 64 raw bytes r || s of a JWS signature
 * @throws TypeError when the signature is not 64 bytes
 */
export function isHighS(signature: Uint8Array): boolean {
  checkLength(signature);
  return sOf(signature) > P256_HALF_ORDER;
}

/**
 * The other valid form of an ES256 signature: (r, n - s). Turns a high-S signature into the
 * low-S one and back; tests use it to make the high-S twin of a token.
 *
 * @param signature - the 64 raw bytes r || s of a JWS signature
 * @throws TypeError when the signature is not 64 bytes
 */
export function complementS(signature: Uint8Array): Buffer {
  checkLength(signature);
  return withS(signature, P256_ORDER - sOf(signature));
}

/**
 * Rewrites an ES256 compact JWS so its signature is low-S (s <= n/2); a token already low-S is
 * returned unchanged. The signature stays valid for the same key, header and payload. Issuers
 * call it once per token, right after signing.
 *
 * @param token - a compact JWS signed with ES256
 * @returns the same token with a low-S signature
 * @throws TypeError when `token` is not a compact JWS with a 64-byte signature
 * @example
 * const token = toLowS(jwt.sign(claims, privateKey, { algorithm: 'ES256', keyid }));
 */
export function toLowS(token: string): string {
  const [signingInput, signature] = splitJws(token);
  if (!isHighS(signature)) return token;
  return `${signingInput}.${complementS(signature).toString('base64url')}`;
}
