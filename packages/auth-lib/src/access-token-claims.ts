import { z } from 'zod';

/** The roles an access token can carry. */
export const ROLES = ['user', 'admin'] as const;

/** A role an access token can carry. */
export type Role = (typeof ROLES)[number];

const numericDate = z.number().finite().nonnegative();

/**
 * The claims every Veto access token must carry. `iat` and `exp` are whole seconds, as every
 * JWT library expects; the private claim `iat_ms` carries the issue time in milliseconds so a
 * token issued in the same second as a revocation, but after it, can be told apart. When present,
 * `iat_ms` must fall within the second `iat` names. Tokens of the previous format (a fractional
 * `iat`, no `iat_ms`) still parse until the last of them expires.
 */
export const accessTokenClaimsSchema = z
  .object({
    iss: z.string().min(1),
    aud: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
    sub: z.string().min(1),
    sid: z.string().min(1),
    role: z.enum(ROLES),
    iat: numericDate,
    // z.int() is bounded to safe integers.
    iat_ms: z.int().nonnegative().optional(),
    exp: numericDate,
    jti: z.string().min(1),
  })
  .refine((claims) => claims.iat_ms === undefined || Math.floor(claims.iat_ms / 1000) === claims.iat, {
    message: 'iat_ms must fall within the second of iat',
    path: ['iat_ms'],
  });

/** The typed claims of a verified access token, as put on `req.auth`. */
export type AccessTokenClaims = Readonly<z.infer<typeof accessTokenClaimsSchema>>;

/** The time claims of an access token, as {@link accessTokenTimes} derives them. */
export interface AccessTokenTimes {
  readonly iat: number;
  readonly iat_ms: number;
  readonly exp: number;
}

/**
 * Derives the time claims of an access token issued at `issuedAtMs`: integer `iat` (its
 * second), `iat_ms` (the exact millisecond, for the revocation watermark) and integer
 * `exp = iat + ttlSeconds`. The auth service signs exactly these.
 *
 * @param issuedAtMs - the issuer's clock, whole milliseconds since the epoch
 * @param ttlSeconds - the access-token lifetime, whole seconds
 * @throws TypeError when either is not a non-negative (TTL: positive) safe integer
 * @example
 * accessTokenTimes(1763862749123, 900); // { iat: 1763862749, iat_ms: 1763862749123, exp: 1763863649 }
 */
export function accessTokenTimes(issuedAtMs: number, ttlSeconds: number): AccessTokenTimes {
  if (!Number.isSafeInteger(issuedAtMs) || issuedAtMs < 0) throw new TypeError('issuedAtMs must be a non-negative integer of milliseconds');
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw new TypeError('ttlSeconds must be a positive integer');
  const iat = Math.floor(issuedAtMs / 1000);
  return { iat, iat_ms: issuedAtMs, exp: iat + ttlSeconds };
}

/**
 * When a token was issued, in milliseconds: `iat_ms` when present, else `iat * 1000`. Tokens of
 * the previous format carry a fractional `iat` and no `iat_ms`; they keep their millisecond
 * precision this way until they expire (one access-token lifetime after the upgrade). An
 * integer `iat` without `iat_ms` (another issuer) counts as the start of its second.
 *
 * @param claims - `iat` and the optional `iat_ms` of a token whose claims were validated
 * @example
 * issuedAtMs({ iat: 1763862749, iat_ms: 1763862749123 }); // 1763862749123
 * issuedAtMs({ iat: 1763862749.123 }); // 1763862749123
 */
export function issuedAtMs(claims: Pick<AccessTokenClaims, 'iat' | 'iat_ms'>): number {
  return claims.iat_ms ?? numericDateToMs(claims.iat);
}

/**
 * Converts a NumericDate (seconds, possibly fractional) to whole milliseconds.
 * Rounding rather than flooring absorbs binary floating-point error: 1763862749.123 * 1000
 * is 1763862749122.9998.
 *
 * @param numericDate - seconds since the epoch
 * @example
 * numericDateToMs(1763862749.123); // 1763862749123
 */
export function numericDateToMs(numericDate: number): number {
  return Math.round(numericDate * 1000);
}
