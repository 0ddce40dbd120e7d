import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { accessTokenClaimsSchema, numericDateToMs, type AccessTokenClaims } from './access-token-claims';
import { TokenError } from './errors';
import { createStaticKeyStore, type JsonWebKeySet, type KeyEntry, type KeyStore } from './key-store';
import { isHighS } from './low-s-signature';
import type { RevocationCache } from './revocation-cache';

/** Options of {@link createVerifier}. */
export interface VerifierOptions {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** Expected `aud` (one of the token's audiences must equal it). */
  audience: string;
  /** A JWKS object, `{ kid, key }` entries, or a {@link KeyStore} such as {@link createJwksKeyStore}'s. */
  keys: JsonWebKeySet | readonly KeyEntry[] | KeyStore;
  /** Tolerated clock difference for `exp`, `nbf` and `iat`. Default 30. */
  clockSkewSeconds?: number;
  /**
   * The issuer's access-token lifetime, as given to the {@link RevocationCache}: a token whose
   * `exp - iat` is longer is refused with `TOKEN_LIFETIME_TOO_LONG`, since it would outlive the
   * cache entry that must reject it. Default 900 (the auth service's default).
   */
  accessTokenTtlSeconds?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  clock?: () => number;
  /** Longer tokens are rejected before any parsing. Default 8192. */
  maxTokenBytes?: number;
  /** Verification cache: a repeated token skips the signature check until its `exp`. */
  cache?: { enabled?: boolean; max?: number };
  /** Checked on every call, after the signature. Without it no token counts as revoked. */
  revocations?: Pick<RevocationCache, 'isRevoked'>;
  /** When it returns false (e.g. a feed failed closed), valid tokens are refused with `REVOCATION_UNAVAILABLE`. */
  isRevocationAvailable?: () => boolean;
}

/** Counters of a verifier, read by the metrics helper. */
export interface VerifierStats {
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

/** Verifies Veto access tokens locally; see {@link createVerifier}. */
export interface Verifier {
  /**
   * Verifies a token and returns its typed claims.
   *
   * @param token - the compact JWS, without `Bearer `
   * @throws TokenError with a `TOKEN_*` code, or `REVOCATION_UNAVAILABLE`
   */
  verify(token: string): AccessTokenClaims;
  readonly stats: VerifierStats;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
// r || s, 32 bytes each (JWS, RFC 7518 §3.4).
const ES256_SIGNATURE_BYTES = 64;

function isKeyStore(keys: VerifierOptions['keys']): keys is KeyStore {
  return typeof (keys as Partial<KeyStore>).getKey === 'function';
}

function malformed(message: string, cause?: unknown): TokenError {
  return new TokenError('TOKEN_MALFORMED', message, cause === undefined ? undefined : { cause });
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch (cause) {
    throw malformed(`token ${what} is not base64url JSON`, cause);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`token ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function checkOptions(options: VerifierOptions) {
  const { issuer, audience, keys, clockSkewSeconds = 30, accessTokenTtlSeconds = 900, clock = Date.now, maxTokenBytes = 8192, cache = {} } = options;
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('issuer must be a non-empty string');
  if (typeof audience !== 'string' || audience.length === 0) throw new TypeError('audience must be a non-empty string');
  if (keys === null || typeof keys !== 'object') throw new TypeError('keys must be a JWKS, a list of { kid, key } or a KeyStore');
  if (!Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) throw new TypeError('clockSkewSeconds must be a non-negative number');
  if (!Number.isFinite(accessTokenTtlSeconds) || accessTokenTtlSeconds <= 0) throw new TypeError('accessTokenTtlSeconds must be a positive number');
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  if (!Number.isInteger(maxTokenBytes) || maxTokenBytes < 16) throw new TypeError('maxTokenBytes must be an integer of at least 16');
  const { enabled = true, max = 10_000 } = cache;
  if (!Number.isInteger(max) || max < 1) throw new TypeError('cache.max must be a positive integer');
  if (options.revocations !== undefined && typeof options.revocations?.isRevoked !== 'function') {
    throw new TypeError('revocations must be a RevocationCache');
  }
  if (options.isRevocationAvailable !== undefined && typeof options.isRevocationAvailable !== 'function') {
    throw new TypeError('isRevocationAvailable must be a function');
  }
  return { issuer, audience, keys, clockSkewSeconds, maxLifetimeMs: accessTokenTtlSeconds * 1000, clock, maxTokenBytes, cacheEnabled: enabled, cacheMax: max };
}

/**
 * Creates a local verifier for ES256 access tokens. Checks, in order: size, structure, header
 * (`alg` must be ES256, no `crit`, `kid` must be known), claim types (`iat_ms` agreeing with
 * `iat`), signature (low-S only) and times (jsonwebtoken, ES256 only), `iat` not in the future,
 * `exp - iat` within `accessTokenTtlSeconds`, issuer, audience; then, on every call including
 * cache hits, revocation. Verified claims are cached by token string until the token's `exp`.
 *
 * @param options - see {@link VerifierOptions}
 * @throws TypeError for invalid options or keys
 * @example
 * const verifier = createVerifier({ issuer: 'veto-auth', audience: 'veto', keys: await loadJwks(jwksUrl), revocations: cache });
 * const claims = verifier.verify(token); // throws TokenError('TOKEN_EXPIRED') etc.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const { issuer, audience, keys, clockSkewSeconds, maxLifetimeMs, clock, maxTokenBytes, cacheEnabled, cacheMax } = checkOptions(options);
  const keyStore = isKeyStore(keys) ? keys : createStaticKeyStore(keys);
  const { revocations, isRevocationAvailable } = options;
  // Expiry is checked against the injected clock on read, so lru-cache's own TTL clock stays unused.
  const verified = cacheEnabled ? new LRUCache<string, AccessTokenClaims>({ max: cacheMax }) : undefined;
  let cacheHits = 0;
  let cacheMisses = 0;

  const verifySignatureAndClaims = (token: string, now: number): AccessTokenClaims => {
    const parts = token.split('.');
    const [headerPart, payloadPart, signaturePart] = parts;
    if (parts.length !== 3 || headerPart === undefined || payloadPart === undefined || signaturePart === undefined) {
      throw malformed('token is not a compact JWS');
    }
    if (!parts.every((part) => BASE64URL.test(part))) throw malformed('token segments are not base64url');
    const header = decodeSegment(headerPart, 'header');
    if (header.alg !== 'ES256') throw new TokenError('TOKEN_WRONG_ALGORITHM', 'token algorithm must be ES256');
    // RFC 7515 §4.1.11: a JWS whose crit names an extension the recipient does not understand is
    // invalid. Veto understands none, and jsonwebtoken ignores crit, so any crit is refused here.
    if (Object.hasOwn(header, 'crit')) throw malformed('token header has crit; no JWS extension is supported');
    if (signaturePart.length === 0) throw malformed('token has no signature');
    if (typeof header.kid !== 'string') throw new TokenError('TOKEN_UNKNOWN_KEY', 'token header has no kid');
    const key = keyStore.getKey(header.kid);
    if (key === undefined) throw new TokenError('TOKEN_UNKNOWN_KEY', 'token is signed with an unknown key');
    // Claim types are checked before jsonwebtoken so every JsonWebTokenError left means a bad signature.
    const parsed = accessTokenClaimsSchema.safeParse(decodeSegment(payloadPart, 'payload'));
    if (!parsed.success) throw malformed('token claims are missing or of the wrong type', parsed.error);
    const signature = Buffer.from(signaturePart, 'base64url');
    // jsonwebtoken throws a plain TypeError for an ES256 signature of the wrong length.
    if (signature.length !== ES256_SIGNATURE_BYTES) throw new TokenError('TOKEN_INVALID_SIGNATURE', 'token signature is invalid');
    // Only the low-S form of a signature is accepted, so a token cannot be re-encoded into a
    // second valid string (the auth service normalizes; OpenSSL accepts both forms).
    if (isHighS(signature)) throw new TokenError('TOKEN_INVALID_SIGNATURE', 'token signature is not in low-S form');
    try {
      jwt.verify(token, key, { algorithms: ['ES256'], clockTolerance: clockSkewSeconds, clockTimestamp: now / 1000 });
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) throw new TokenError('TOKEN_EXPIRED', 'token has expired', { cause: err });
      if (err instanceof jwt.NotBeforeError) throw new TokenError('TOKEN_NOT_YET_VALID', 'token is not valid yet', { cause: err });
      if (err instanceof jwt.JsonWebTokenError) throw new TokenError('TOKEN_INVALID_SIGNATURE', 'token signature is invalid', { cause: err });
      throw err;
    }
    const claims = parsed.data;
    if (claims.iat > now / 1000 + clockSkewSeconds) throw new TokenError('TOKEN_NOT_YET_VALID', 'token is issued in the future');
    // A revocation entry lives revokedAt + ttl + skew, and a token is accepted until exp + skew:
    // only a token living at most ttl is sure to die before the entry that rejects it. Both
    // times come from the issuer's clock, so no skew applies to their difference. Compared in
    // whole ms so a previous-format fractional iat is not tripped by floating-point error.
    if (numericDateToMs(claims.exp) - numericDateToMs(claims.iat) > maxLifetimeMs) {
      throw new TokenError('TOKEN_LIFETIME_TOO_LONG', 'token lifetime exceeds accessTokenTtlSeconds');
    }
    if (claims.iss !== issuer) throw new TokenError('TOKEN_WRONG_ISSUER', 'token issuer is not accepted');
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!audiences.includes(audience)) throw new TokenError('TOKEN_WRONG_AUDIENCE', 'token audience is not accepted');
    return Object.freeze(claims);
  };

  const lookup = (token: string, now: number): AccessTokenClaims | undefined => {
    const claims = verified?.get(token);
    if (claims === undefined) return undefined;
    if (now >= claims.exp * 1000) {
      verified?.delete(token);
      return undefined;
    }
    return claims;
  };

  return {
    verify(token) {
      if (typeof token !== 'string' || token.length === 0) throw new TokenError('TOKEN_MISSING', 'no token given');
      // Checked on the string length first: it never exceeds the UTF-8 byte length, and costs nothing.
      if (token.length > maxTokenBytes || Buffer.byteLength(token, 'utf8') > maxTokenBytes) {
        throw malformed(`token exceeds ${maxTokenBytes} bytes`);
      }
      const now = clock();
      let claims = lookup(token, now);
      if (claims === undefined) {
        if (verified !== undefined) cacheMisses += 1;
        claims = verifySignatureAndClaims(token, now);
        verified?.set(token, claims);
      } else {
        cacheHits += 1;
      }
      if (revocations?.isRevoked(claims)) throw new TokenError('TOKEN_REVOKED', 'token has been revoked');
      if (isRevocationAvailable !== undefined && !isRevocationAvailable()) {
        throw new TokenError('REVOCATION_UNAVAILABLE', 'revocation state is unavailable; refusing tokens until the bus is back');
      }
      return claims;
    },
    get stats() {
      return { cacheHits, cacheMisses };
    },
  };
}
