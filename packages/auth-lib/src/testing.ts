import { generateKeyPairSync, randomUUID, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import { accessTokenTimes, type AccessTokenClaims } from './access-token-claims';
import type { JsonWebKeySet } from './key-store';
import { complementS, isHighS, toLowS } from './low-s-signature';
export { startJwksServer, type JwksServer } from './test-support/jwks-server';
export { createTestClock, type TestClock } from './test-support/test-clock';

/** A throw-away ES256 key pair for tests; never use it outside tests. */
export interface TestKeyPair {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public key as a JWK with `kid`, `alg` and `use`. */
  readonly jwk: JsonWebKey;
}

/** Issuer used by {@link signTestToken} unless overridden. */
export const TEST_ISSUER = 'veto-test-issuer';
/** Audience used by {@link signTestToken} unless overridden. */
export const TEST_AUDIENCE = 'veto-test-audience';

/**
 * Generates a fresh ES256 test key pair (nothing secret is committed to the repository).
 *
 * @param kid - the key id; default `test-key-<uuid>`
 * @example
 * const other = createTestKeyPair('attacker');
 */
export function createTestKeyPair(kid = `test-key-${randomUUID()}`): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return Object.freeze({ kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } });
}

/** The default test key pair, created once per test process. */
export const TEST_KEY_PAIR: TestKeyPair = createTestKeyPair('veto-test-key');

/**
 * A JWKS holding the public halves of the given test key pairs.
 *
 * @param pairs - default: {@link TEST_KEY_PAIR}
 * @example
 * const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: testJwks() });
 */
export function testJwks(...pairs: TestKeyPair[]): JsonWebKeySet {
  return { keys: (pairs.length > 0 ? pairs : [TEST_KEY_PAIR]).map((pair) => pair.jwk) };
}

/** Options of {@link signTestToken}. */
export interface SignTestTokenOptions {
  /** The signing key pair. Default {@link TEST_KEY_PAIR}. */
  keyPair?: TestKeyPair;
  /** Signing time in whole ms: `iat` is its second, `iat_ms` the ms itself, as the auth service signs. Default `Date.now()`. */
  now?: number;
  /** `exp - iat`, whole seconds. Default 900. */
  ttlSeconds?: number;
  /** Header fields merged over `{ alg: 'ES256', kid }`, to forge odd headers. */
  header?: Record<string, unknown>;
}

/**
 * Signs an access token for tests, with defaults for every claim; any claim can be overridden
 * or removed (pass `undefined`). A previous-format token: `{ iat: 1763862749.123, iat_ms: undefined, exp: ... }`.
 *
 * @param claims - claims to override, e.g. `{ sub: 'u1', role: 'admin' }`
 * @param options - see {@link SignTestTokenOptions}
 * @example
 * const token = signTestToken({ sub: user.id, sid: 's1' }, { now: clock() });
 * await request(app).get('/me').set('authorization', `Bearer ${token}`);
 */
export function signTestToken(claims: Partial<Record<keyof AccessTokenClaims, unknown>> & Record<string, unknown> = {}, options: SignTestTokenOptions = {}): string {
  const { keyPair = TEST_KEY_PAIR, now = Date.now(), ttlSeconds = 900, header = {} } = options;
  const payload: Record<string, unknown> = {
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    sub: 'test-user',
    sid: `test-session-${randomUUID()}`,
    role: 'user',
    ...accessTokenTimes(now, ttlSeconds),
    jti: randomUUID(),
    ...claims,
  };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return signCompactJws({ alg: 'ES256', kid: keyPair.kid, ...header }, payload, keyPair.privateKey);
}

/**
 * Signs any header and payload with ES256, validating nothing, so tests can forge tokens with
 * wrong claim types or headers that a JWT library would refuse to produce. The signature is
 * low-S, as the auth service makes it; {@link toHighS} gives its other valid form.
 *
 * @param header - the JOSE header, written as given
 * @param payload - the claims, written as given
 * @param privateKey - an EC P-256 private key
 * @throws Error from node:crypto when the key cannot sign
 * @example
 * const token = signCompactJws({ alg: 'ES256', kid: TEST_KEY_PAIR.kid }, { sub: 42 }, TEST_KEY_PAIR.privateKey);
 */
export function signCompactJws(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyObject): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return toLowS(`${signingInput}.${signature.toString('base64url')}`);
}

/**
 * The high-S twin of a low-S ES256 token: same header and payload, the other valid signature
 * (r, n - s), which `@veto/auth-lib` refuses.
 *
 * @param token - a compact JWS with a low-S ES256 signature, e.g. from {@link signTestToken}
 * @throws TypeError when the token's signature is not a low-S ES256 signature
 * @example
 * expect(codeOf(() => verifier.verify(toHighS(signTestToken())))).toBe('TOKEN_INVALID_SIGNATURE');
 */
export function toHighS(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const raw = Buffer.from(signature, 'base64url');
  if (raw.length !== 64 || isHighS(raw)) throw new TypeError('toHighS takes a token with a low-S ES256 signature');
  return `${header}.${payload}.${complementS(raw).toString('base64url')}`;
}
