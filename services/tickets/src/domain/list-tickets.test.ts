import { availableDrivers } from '@veto/storage/testing';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../test-support/test-database';
import { createTicket } from './create-ticket';
import { listTickets } from './list-tickets';
import type { TicketsContext } from './tickets-context';

describe.each(availableDrivers())('listTickets on %s', (driver) => {
  let database: TicketsTestDatabase;
  let now = Date.UTC(2026, 0, 15, 10, 0, 0, 123);
  let context: TicketsContext;

  beforeAll(async () => {
    database = await openTicketsTestDatabase(driver);
    context = { db: database.db, clock: () => now };
  });
  beforeEach(() => database.reset());
  afterAll(() => database.close());

  it('pages through tickets created in the same millisecond by id, without skipping or repeating', async () => {
    const created = [];
    for (let i = 0; i < 7; i++) created.push(await createTicket(context, { ownerId: 'seller', title: `T${i}`, price: 100 }));
    now += 1;
    const newest = await createTicket(context, { ownerId: 'seller', title: 'newest', price: 100 });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listTickets(context, { limit: 3, cursor });
      seen.push(...page.items.map((ticket) => ticket.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    const sameMillisecond = created
      .map((ticket) => ticket.id)
      .sort()
      .reverse();
    expect(seen).toEqual([newest.id, ...sameMillisecond]);
  });

  it('answers an empty list with no cursor', async () => {
    expect(await listTickets(context, { limit: 20 })).toEqual({ items: [], nextCursor: null });
  });

  it('ends exactly at a page boundary without an empty extra page', async () => {
    for (let i = 0; i < 2; i++) await createTicket(context, { ownerId: 'seller', title: `T${i}`, price: 100 });
    expect((await listTickets(context, { limit: 2 })).nextCursor).toBeNull();
  });
});
