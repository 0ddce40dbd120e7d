import { ROLES } from '@veto/auth-lib';
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

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
    // The roles an access token can carry (auth-lib's ROLES): one list for the column and the claims.
    role: text('role', { enum: ROLES }).notNull(),
    bannedAt: instant('banned_at'),
    banReason: text('ban_reason'),
    // The user.banned event of the current ban: a repeated ban answers with it instead of a new one.
    banEventId: uuid('ban_event_id'),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('users_email_unique').on(table.email),
    // Keyset pagination of the admin user list: newest first.
    index('users_created_at_id_idx').on(table.createdAt, table.id),
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

/**
 * The transactional outbox, the source of truth of the `AUTH` stream: events are written in
 * the same transaction as the state change they announce, published by the relay, then
 * marked; published rows stay as long as a revocation matters (the stream is rebuilt from
 * them when it is lost), then are purged.
 */
export const outbox = pgTable(
  'outbox',
  {
    // The event id, sent as Nats-Msg-Id: a retried publish is stored once by JetStream.
    id: uuid('id').primaryKey(),
    // Insertion order: events written in the same millisecond still go out in the order written.
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    type: text('type').notNull(),
    subject: text('subject').notNull(),
    // The full event envelope, exactly as published.
    payload: jsonb('payload').notNull(),
    createdAt: instant('created_at').notNull(),
    // When JetStream last acknowledged it (a republish after a stream loss moves it forward).
    publishedAt: instant('published_at'),
    // The AUTH stream sequence of that acknowledgement: the stream still holding this id there
    // tells an intact stream from one recreated empty since.
    streamSeq: bigint('stream_seq', { mode: 'number' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    // A relay's short lease on the row while it publishes it; other relays skip leased rows.
    lockedUntil: instant('locked_until'),
  },
  (table) => [
    index('outbox_pending_seq_idx')
      .on(table.seq)
      .where(sql`${table.publishedAt} is null`),
    // Published rows by age: the purge, the stream check's latest row and the republished window.
    index('outbox_published_at_idx')
      .on(table.publishedAt)
      .where(sql`${table.publishedAt} is not null`),
  ],
);

/** Every admin action: who did what to whom, when, why, and the event it recorded. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: uuid('id').primaryKey(),
    actorUserId: uuid('actor_user_id').notNull(),
    action: text('action', { enum: ['user.banned', 'user.unbanned', 'user.sessions_revoked'] }).notNull(),
    targetUserId: uuid('target_user_id').notNull(),
    reason: text('reason'),
    createdAt: instant('created_at').notNull(),
    eventId: uuid('event_id').notNull(),
  },
  (table) => [index('audit_log_created_at_id_idx').on(table.createdAt, table.id), index('audit_log_target_idx').on(table.targetUserId, table.createdAt)],
);

/**
 * Sign-in attempts counted per rate-limit key (an email or a client IP) in the key's current
 * fixed window, shared by every replica. A row holds the attempts reserved since
 * `window_start`; expired rows are purged, so the table stays as small as the keys of one window.
 */
export const signInAttempts = pgTable(
  'sign_in_attempts',
  {
    // SHA-256 of `email:<address>` or `ip:<address>`: guessed emails and client addresses are not kept readable.
    key: text('key').primaryKey(),
    windowStart: instant('window_start').notNull(),
    attempts: integer('attempts').notNull(),
  },
  (table) => [index('sign_in_attempts_window_start_idx').on(table.windowStart)],
);

/** The drizzle schema object of the auth service. */
export const schema = { users, sessions, refreshTokens, outbox, auditLog, signInAttempts };

/** A user row as read from the database. */
export type UserRow = typeof users.$inferSelect;
/** A session row as read from the database. */
export type SessionRow = typeof sessions.$inferSelect;
/** A refresh-token row as read from the database. */
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
/** An outbox row as read from the database. */
export type OutboxRow = typeof outbox.$inferSelect;
/** An audit-log row as read from the database. */
export type AuditLogRow = typeof auditLog.$inferSelect;
/** An admin action kept in the audit log. */
export type AdminAction = AuditLogRow['action'];
