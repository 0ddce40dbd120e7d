import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

/** Where a verifier looks up the public key named by a token's `kid`. */
export interface KeyStore {
  /**
   * Returns the ES256 public key for `kid`, or undefined when unknown. Must be synchronous:
   * a store that can refresh starts the refresh in the background and answers from what it has.
   */
  getKey(kid: string): KeyObject | undefined;
}

/** A public key with the id tokens name it by. */
export interface KeyEntry {
  kid: string;
  key: KeyObject;
}

/** A JSON Web Key Set as served at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  keys: JsonWebKey[];
}

const jwkSchema = z.looseObject({ kty: z.string(), kid: z.string().min(1).optional(), crv: z.string().optional(), use: z.string().optional(), alg: z.string().optional() });
const jwksSchema = z.object({ keys: z.array(jwkSchema) });

/**
 * Validates a JWKS and turns its ES256 signing keys into KeyObjects, once. Keys for other
 * algorithms or uses are skipped rather than rejected: a shared JWKS may publish them.
 *
 * @param jwks - a parsed JWKS document
 * @returns the usable keys
 * @throws TypeError when the document is not a JWKS, or an ES256 key has no `kid` or invalid key material
 * @example
 * const entries = keysFromJwks(await (await fetch(url)).json());
 */
export function keysFromJwks(jwks: unknown): KeyEntry[] {
  const parsed = jwksSchema.safeParse(jwks);
  if (!parsed.success) throw new TypeError(`not a JWKS: ${parsed.error.message}`);
  const entries: KeyEntry[] = [];
  for (const jwk of parsed.data.keys) {
    const isEs256 = jwk.kty === 'EC' && jwk.crv === 'P-256' && (jwk.alg === undefined || jwk.alg === 'ES256');
    if (!isEs256 || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
    if (jwk.kid === undefined) throw new TypeError('an ES256 key in the JWKS has no kid');
    if ('d' in jwk) throw new TypeError(`JWKS key ${jwk.kid} contains private key material`);
    try {
      entries.push({ kid: jwk.kid, key: createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) });
    } catch (cause) {
      throw new TypeError(`JWKS key ${jwk.kid} is not a valid P-256 public key`, { cause });
    }
  }
  return entries;
}

/**
 * A fixed key store, for keys configured at start-up (JWKS object, PEM files turned into KeyObjects).
 *
 * @param source - a JWKS object or a list of `{ kid, key }`
 * @throws TypeError when a key is not an EC P-256 public key, a kid repeats, or no key is usable
 * @example
 * const keys = createStaticKeyStore([{ kid: 'k1', key: createPublicKey(pem) }]);
 */
export function createStaticKeyStore(source: JsonWebKeySet | readonly KeyEntry[]): KeyStore {
  const entries = Array.isArray(source) ? (source as readonly KeyEntry[]) : keysFromJwks(source);
  const keys = keyMap(entries);
  return { getKey: (kid) => keys.get(kid) };
}

/**
 * Builds the kid → key map, checking every key once so verification never meets a wrong key type.
 *
 * @param entries - keys with their ids
 * @throws TypeError when a key is not an EC P-256 public key, a kid repeats, or the list is empty
 * @example
 * const map = keyMap(keysFromJwks(jwks));
 */
export function keyMap(entries: readonly KeyEntry[]): ReadonlyMap<string, KeyObject> {
  if (entries.length === 0) throw new TypeError('no ES256 public key given');
  const keys = new Map<string, KeyObject>();
  for (const { kid, key } of entries) {
    if (typeof kid !== 'string' || kid.length === 0) throw new TypeError('every key needs a non-empty kid');
    if (key?.type !== 'public' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new TypeError(`key ${kid} must be an EC P-256 public KeyObject`);
    }
    if (keys.has(kid)) throw new TypeError(`duplicate kid ${kid}`);
    keys.set(kid, key);
  }
  return keys;
}
