import { z } from 'zod';

/** The roles an access token can carry. */
export const ROLES = ['user', 'admin'] as const;

/** A role an access token can carry. */
export type Role = (typeof ROLES)[number];

const numericDate = z.number().finite().nonnegative();

/**
 * The claims every Veto access token must carry. `iat` is a NumericDate that may be
 * fractional (millisecond precision) so a token issued in the same second as a
 * revocation, but after it, can be told apart.
 */
export const accessTokenClaimsSchema = z.object({
  iss: z.string().min(1),
  aud: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  sub: z.string().min(1),
  sid: z.string().min(1),
  role: z.enum(ROLES),
  iat: numericDate,
  exp: numericDate,
  jti: z.string().min(1),
});

/** The typed claims of a verified access token, as put on `req.auth`. */
export type AccessTokenClaims = Readonly<z.infer<typeof accessTokenClaimsSchema>>;

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
