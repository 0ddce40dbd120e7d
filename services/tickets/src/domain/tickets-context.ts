import type { Clock } from '../clock';
import type { TicketsDatabase } from '../data-access/database';

/** What the ticket use cases run on: the database (or a transaction) and the clock. */
export interface TicketsContext {
  readonly db: TicketsDatabase;
  readonly clock: Clock;
}
