import type { Role } from '@veto/auth-lib';
import type { UserRow } from '../data-access/schema';

/** An account as the admin API shows it. */
export interface AdminUser {
  readonly id: string;
  readonly email: string;
  readonly role: Role;
  readonly createdAt: string;
  /** ISO time of the current ban, or `null`. */
  readonly bannedAt: string | null;
  readonly banReason: string | null;
}

/** What an admin action answers: the account after it, and the event it recorded. */
export interface AdminActionResult {
  readonly user: AdminUser;
  /** The event id (its `Nats-Msg-Id`); for a repeated ban the first ban's; `null` when nothing changed. */
  readonly eventId: string | null;
}

/**
 * Picks the fields an admin sees (never the password hash).
 *
 * @param row - a user row
 * @returns the admin view
 * @example
 * res.json({ user: toAdminUser(row) });
 */
export function toAdminUser(row: UserRow): AdminUser {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    createdAt: row.createdAt.toISOString(),
    bannedAt: row.bannedAt?.toISOString() ?? null,
    banReason: row.banReason,
  };
}
