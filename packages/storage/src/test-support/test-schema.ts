import { join } from 'node:path';
import { integer, pgTable, serial, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** A list, referenced by its items so a reset must truncate in one statement. */
export const lists = pgTable('lists', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** An item of a list; `serial` so a reset is seen to restart identities. */
export const items = pgTable('items', {
  id: serial('id').primaryKey(),
  listId: uuid('list_id')
    .notNull()
    .references(() => lists.id, { onDelete: 'cascade' }),
  position: integer('position').notNull(),
});

/** The drizzle schema object of the package tests; the string shows non-table exports are skipped. */
export const testSchema = { lists, items, description: 'not a table' };

/** Migrations generated from this file by drizzle-kit (`drizzle.config.ts` in the package). */
export const TEST_MIGRATIONS_FOLDER = join(__dirname, 'migrations');
