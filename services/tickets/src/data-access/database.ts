import type { Database, DatabaseHandle } from '@veto/storage';
import type { schema } from './schema';

/** The tickets database or an open transaction; repository functions take either. */
export type TicketsDatabase = Database<typeof schema>;

/** An open tickets database handle. */
export type TicketsDatabaseHandle = DatabaseHandle<typeof schema>;
