import type { Role } from '@veto/auth-lib';
import type { UserRow } from '../data-access/schema';

/** The part of an account a client may see. */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
}

/**
 * Picks the client-visible fields of a user row (never the password hash).
 *
 * @param row - a user row
 * @returns id, email and role
 * @example
 * res.json({ user: toPublicUser(row) });
 */
export function toPublicUser(row: UserRow): PublicUser {
  return { id: row.id, email: row.email, role: row.role };
}

/**
 * Normalizes an email for storage and lookup: trimmed and lower-cased, which makes
 * uniqueness case-insensitive.
 *
 * @param email - as typed by the user
 * @returns the normalized email
 * @example
 * normalizeEmail(' Ada@Example.com ') // 'ada@example.com'
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
