import { sql } from 'drizzle-orm';
import { bigserial, check, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The receivers an admin registered: each authenticates with one bearer credential
 * (`Authorization: Bearer <credential>`). Only a SHA-256 of the credential's secret is kept:
 * the secret is 256 random bits, so a slow hash adds nothing against guessing and would cost
 * every request. Revoked receivers stay (their streams' history refers to them) and are refused.
 * Declared without a schema: the connection's `search_path` selects `DATABASE_SCHEMA`.
 */
export const receivers = pgTable('receivers', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  secretHash: text('secret_hash').notNull(),
  createdAt: instant('created_at').notNull(),
  revokedAt: instant('revoked_at'),
  revokedReason: text('revoked_reason'),
});

/**
 * A receiver's event streams (SSF 1.0 §8.1.1). `aud` and `events_requested` keep what the
 * receiver asked for; `events_delivered` is what this transmitter sends of it.
 */
export const streams = pgTable(
  'streams',
  {
    id: uuid('id').primaryKey(),
    receiverId: uuid('receiver_id')
      .notNull()
      .references(() => receivers.id),
    // A string or an array of strings, as the receiver gave it (SSF 1.0 §8.1.1 `aud`).
    aud: jsonb('aud').$type<string | string[]>().notNull(),
    description: text('description'),
    eventsRequested: jsonb('events_requested').$type<string[]>().notNull(),
    eventsDelivered: jsonb('events_delivered').$type<string[]>().notNull(),
    deliveryMethod: text('delivery_method', { enum: ['urn:ietf:rfc:8935', 'urn:ietf:rfc:8936'] }).notNull(),
    // Push: the receiver's endpoint; poll: this transmitter's poll URL for the stream.
    endpointUrl: text('endpoint_url').notNull(),
    // Push only: the `Authorization` header value the receiver wants on its endpoint.
    authorizationHeader: text('authorization_header'),
    subjectFormat: text('subject_format', { enum: ['iss_sub', 'email'] }).notNull(),
    status: text('status', { enum: ['enabled', 'paused', 'disabled'] }).notNull(),
    statusReason: text('status_reason'),
    minVerificationIntervalSeconds: integer('min_verification_interval_seconds').notNull(),
    lastVerificationAt: instant('last_verification_at'),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (table) => [
    index('streams_receiver_id_idx').on(table.receiverId),
    check('streams_status_known', sql`${table.status} in ('enabled', 'paused', 'disabled')`),
    check('streams_delivery_method_known', sql`${table.deliveryMethod} in ('urn:ietf:rfc:8935', 'urn:ietf:rfc:8936')`),
  ],
);

/**
 * Every SET made for a stream, written before it is delivered (the transmitter's outbox): the
 * durable consumer acknowledges a Veto event only after its SETs are committed here, so none is
 * lost across restarts, and a redelivered event finds its SET already there (same `jti`, the
 * unique key). `seq` orders a stream's SETs: push delivers them in that order, poll returns them
 * in it. State: `pending` (to push, or to be polled and acknowledged), `delivered` (push
 * answered 202, or poll acknowledged), `dead` (push gave up; an admin can re-drive it).
 */
export const securityEvents = pgTable(
  'security_events',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    streamId: uuid('stream_id')
      .notNull()
      .references(() => streams.id, { onDelete: 'cascade' }),
    jti: text('jti').notNull(),
    eventType: text('event_type').notNull(),
    // The Veto event id, verification id or status change id the SET was made from (its `txn`).
    sourceId: text('source_id').notNull(),
    token: text('token').notNull(),
    state: text('state', { enum: ['pending', 'delivered', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: instant('next_attempt_at'),
    lastError: text('last_error'),
    createdAt: instant('created_at').notNull(),
    deliveredAt: instant('delivered_at'),
  },
  (table) => [
    unique('security_events_stream_jti_key').on(table.streamId, table.jti),
    // The next pending SET of a stream, in order: push and poll read only this.
    index('security_events_pending_idx')
      .on(table.streamId, table.seq)
      .where(sql`${table.state} = 'pending'`),
    check('security_events_state_known', sql`${table.state} in ('pending', 'delivered', 'dead')`),
  ],
);

/** The drizzle schema object of the signals service. */
export const schema = { receivers, streams, securityEvents };

/** A receiver row as read from the database. */
export type ReceiverRow = typeof receivers.$inferSelect;
/** A stream row as read from the database. */
export type StreamRow = typeof streams.$inferSelect;
/** A SET row as read from the database. */
export type SecurityEventRow = typeof securityEvents.$inferSelect;
