import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The prefix that makes a leaked credential recognisable (secret scanners, logs). */
const PREFIX = 'vetorcv';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** A credential, split into the receiver it names and the secret that proves it. */
export interface ParsedReceiverCredential {
  readonly receiverId: string;
  readonly secret: string;
}

/**
 * A new bearer credential for a receiver: `vetorcv.<receiver id>.<secret>`, the secret 256
 * random bits in base64url. The id lets the check find the one row to compare against; only
 * {@link hashReceiverSecret} of the secret is stored.
 *
 * @param receiverId - the receiver's id (a UUID)
 * @returns the credential, to show once, and the hash to store
 * @example
 * const { credential, secretHash } = newReceiverCredential(id);
 */
export function newReceiverCredential(receiverId: string): { credential: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { credential: `${PREFIX}.${receiverId}.${secret}`, secretHash: hashReceiverSecret(secret) };
}

/**
 * SHA-256 of a credential's secret, hex. A fast hash is enough: the secret is 256 random bits,
 * so there is nothing to guess, and every receiver request pays for the check.
 *
 * @param secret - the secret part of a credential
 * @example
 * hashReceiverSecret(parsed.secret) === row.secretHash;
 */
export function hashReceiverSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Splits a presented credential, or `undefined` when it does not have the shape of one (it
 * cannot be ours, and no database lookup is spent on it).
 *
 * @param credential - the token of an `Authorization: Bearer` header
 * @example
 * parseReceiverCredential('vetorcv.0d6f…-….AbC…'); // { receiverId: '0d6f…', secret: 'AbC…' }
 */
export function parseReceiverCredential(credential: string): ParsedReceiverCredential | undefined {
  const parts = credential.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return undefined;
  const [, receiverId = '', secret = ''] = parts;
  if (!UUID.test(receiverId) || !SECRET.test(secret)) return undefined;
  return { receiverId, secret };
}

/**
 * Whether a presented secret matches a stored hash, in constant time over the hash.
 *
 * @param secret - the presented secret
 * @param secretHash - the stored {@link hashReceiverSecret}
 * @example
 * if (!secretMatches(parsed.secret, row.secretHash)) throw unauthorized();
 */
export function secretMatches(secret: string, secretHash: string): boolean {
  const presented = Buffer.from(hashReceiverSecret(secret), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
