import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Tickets for sale. Declared without a schema: the connection's `search_path` selects the
 * service schema (`DATABASE_SCHEMA`). `owner_id` is the seller's user id (`sub` claim) as
 * text, because the tickets service never reads the auth service's tables.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    title: text('title').notNull(),
    // Integer cents: no rounding, ever.
    price: integer('price').notNull(),
    ownerId: text('owner_id').notNull(),
    // Optimistic concurrency: every change increments it, writers name the version they read.
    version: integer('version').notNull(),
    listed: boolean('listed').notNull(),
    // Why an unlisted ticket is unlisted, so an unban relists only what the ban unlisted.
    unlistedReason: text('unlisted_reason', { enum: ['owner', 'seller_banned'] }),
    createdAt: instant('created_at').notNull(),
    updatedAt: instant('updated_at').notNull(),
  },
  (table) => [
    // Keyset pagination of the public list walks (created_at, id) over listed tickets only.
    index('tickets_listed_created_at_id_idx')
      .on(table.createdAt, table.id)
      .where(sql`${table.listed}`),
    index('tickets_owner_id_idx').on(table.ownerId),
    check('tickets_price_positive', sql`${table.price} > 0`),
    check('tickets_unlisted_reason_known', sql`${table.unlistedReason} in ('owner', 'seller_banned')`),
    check('tickets_unlisted_has_reason', sql`${table.listed} = (${table.unlistedReason} is null)`),
  ],
);

/**
 * The latest moderation event applied per seller. Work-queue redeliveries can arrive after a
 * newer event (a retried ban after the unban); comparing `changed_at` keeps the newest decision.
 */
export const sellerModeration = pgTable('seller_moderation', {
  ownerId: text('owner_id').primaryKey(),
  banned: boolean('banned').notNull(),
  // `occurredAt` of the event that set `banned`.
  changedAt: instant('changed_at').notNull(),
});

/** The drizzle schema object of the tickets service. */
export const schema = { tickets, sellerModeration };

/** A ticket row as read from the database. */
export type TicketRow = typeof tickets.$inferSelect;
