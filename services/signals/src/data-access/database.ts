import type { Database, DatabaseHandle } from '@veto/storage';
import type { schema } from './schema';

/** The signals database or an open transaction; repository functions take either. */
export type SignalsDatabase = Database<typeof schema>;

/** An open signals database handle. */
export type SignalsDatabaseHandle = DatabaseHandle<typeof schema>;
