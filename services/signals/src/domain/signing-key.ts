import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * The smallest RSA modulus accepted: the CAEP Interoperability Profile 1.0 (§2.6, "Event
 * Signatures") requires RS256 with keys of at least 2048 bits.
 */
export const MIN_RSA_BITS = 2048;

/** The public signing key as the JWKS publishes it (RFC 7517 §4, RFC 7518 §6.3.1). */
export interface PublicSigningJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

/** The transmitter's signing key: created once at start-up, the private half never leaves the process. */
export interface SigningKey {
  readonly privateKey: KeyObject;
  /** RFC 7638 thumbprint of the public key: the `kid` header of every SET. */
  readonly kid: string;
  readonly jwks: { readonly keys: readonly [PublicSigningJwk] };
}

/**
 * Builds the RS256 signing key from a PEM private key, once.
 *
 * @param privateKeyPem - a PKCS#8 or PKCS#1 PEM RSA private key of at least {@link MIN_RSA_BITS} bits
 * @returns the key object, its `kid` and the JWKS publishing its public half
 * @throws {TypeError} when the PEM is no private key, not RSA (RSA-PSS keys included: RS256 is
 *   PKCS#1 v1.5), or shorter than 2048 bits; the caller names the variable that held it
 * @example
 * const key = createSigningKey(readFileSync(config.privateKeyFile, 'utf8'));
 */
export function createSigningKey(privateKeyPem: string): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new TypeError('not a readable PEM private key', { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`an RSA key is required for RS256, got ${privateKey.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new TypeError(`the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required (CAEP Interoperability Profile 1.0 §2.6)`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
    throw new TypeError('the RSA public key has no modulus or exponent');
  }
  // RFC 7638 §3.2: the required members only (e, kty, n), in lexicographic order, no whitespace.
  const kid = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n }))
    .digest('base64url');
  const publicJwk: PublicSigningJwk = Object.freeze({ kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' });
  return Object.freeze({ privateKey, kid, jwks: Object.freeze({ keys: Object.freeze([publicJwk] as const) }) });
}
