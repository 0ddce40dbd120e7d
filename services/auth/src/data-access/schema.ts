import { sql } from 'drizzle-orm';
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Accounts. Tables are declared without a schema: the connection's `search_path`
 * selects the service schema (`DATABASE_SCHEMA`), so tests can give every file its
 * own schema on one PostgreSQL server.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    // Stored lower-cased: uniqueness is case-insensitive without citext.
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['user', 'admin'] }).notNull(),
    bannedAt: instant('banned_at'),
    banReason: text('ban_reason'),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('users_email_unique').on(table.email),
    check('users_email_lower_case', sql`${table.email} = lower(${table.email})`),
    check('users_role_known', sql`${table.role} in ('user', 'admin')`),
  ],
);

/** Sign-in sessions; `id` is the `sid` claim of every access token of the session. */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: instant('created_at').notNull(),
    revokedAt: instant('revoked_at'),
    revokeReason: text('revoke_reason'),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

/** Refresh tokens, stored only as SHA-256 hashes; one row per rotation. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    // The rotation chain; equal to the session id because a session has one chain.
    family: uuid('family').notNull(),
    createdAt: instant('created_at').notNull(),
    expiresAt: instant('expires_at').notNull(),
    rotatedAt: instant('rotated_at'),
    replacedBy: text('replaced_by'),
    revokedAt: instant('revoked_at'),
  },
  (table) => [index('refresh_tokens_session_id_idx').on(table.sessionId)],
);

/** The drizzle schema object of the auth service. */
export const schema = { users, sessions, refreshTokens };

/** A user row as read from the database. */
export type UserRow = typeof users.$inferSelect;
/** A session row as read from the database. */
export type SessionRow = typeof sessions.$inferSelect;
/** A refresh-token row as read from the database. */
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
/** A role a user can hold. */
export type Role = UserRow['role'];
