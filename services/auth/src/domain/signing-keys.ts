import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** A public key as published in the JWKS. */
export interface PublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256';
  readonly x: string;
  readonly y: string;
  readonly kid: string;
  readonly alg: 'ES256';
  readonly use: 'sig';
}

/** The signing key, its id, and every public key the JWKS publishes. */
export interface SigningKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** RFC 7638 thumbprint of the current public key; the `kid` header of issued tokens. */
  readonly kid: string;
  /** Every public key accepted for verification, by `kid`: the current one and previous ones. */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
  /** The current key first, then previous keys still accepted during a rotation. */
  readonly jwks: { readonly keys: readonly PublicJwk[] };
}

function toPublicJwk(publicKey: KeyObject): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new TypeError('signing keys must be EC P-256 keys (ES256)');
  }
  // RFC 7638: required members only, lexicographic order, no whitespace.
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  const kid = createHash('sha256').update(canonical).digest('base64url');
  return Object.freeze({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' });
}

/**
 * Splits a text holding zero or more PEM blocks (e.g. a file of previous public keys).
 *
 * @param text - concatenated PEM blocks
 * @returns each block, in order
 * @example
 * splitPemBlocks(readFileSync(path, 'utf8'));
 */
export function splitPemBlocks(text: string): string[] {
  return text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g) ?? [];
}

/**
 * Builds the KeyObjects once, at start-up, and the JWKS that publishes them.
 *
 * @param options - the current private key (PEM) and previous public keys (PEM) to keep publishing
 * @returns the signing keys
 * @throws {TypeError} when a key is not a P-256 key or cannot be parsed
 * @example
 * const keys = createSigningKeys({ privateKeyPem, previousPublicKeyPems: [] });
 */
export function createSigningKeys(options: { privateKeyPem: string; previousPublicKeyPems?: readonly string[] }): SigningKeys {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(options.privateKeyPem);
  } catch (error) {
    throw new TypeError('the signing key is not a readable PEM private key', { cause: error });
  }
  const publicKey = createPublicKey(privateKey);
  const current = toPublicJwk(publicKey);
  const publicKeys = new Map<string, KeyObject>([[current.kid, publicKey]]);
  const keys = [current];
  for (const pem of options.previousPublicKeyPems ?? []) {
    let previousKey: KeyObject;
    try {
      previousKey = createPublicKey(pem);
    } catch (error) {
      throw new TypeError('a previous public key is not a readable PEM public key', { cause: error });
    }
    const jwk = toPublicJwk(previousKey);
    if (!publicKeys.has(jwk.kid)) {
      publicKeys.set(jwk.kid, previousKey);
      keys.push(jwk);
    }
  }
  return Object.freeze({ privateKey, publicKey, kid: current.kid, publicKeys, jwks: Object.freeze({ keys: Object.freeze(keys) }) });
}
