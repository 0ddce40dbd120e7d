import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { selectRows } from '@veto/storage';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../test-support/test-database';
import { applySellerModerations } from './apply-seller-moderation';
import { createTicket } from './create-ticket';
import type { TicketsContext } from './tickets-context';

let database: TicketsTestDatabase;
let context: TicketsContext;
beforeAll(async () => {
  database = await openTicketsTestDatabase();
  context = { db: database.db, clock: () => Date.parse('2026-11-25T10:00:00.000Z') };
});
beforeEach(() => database.reset());
afterAll(() => database.close());

const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 9, 0, second));

function stateOf(ownerId: string): Promise<{ listed: boolean; version: number }[]> {
  return selectRows<{ listed: boolean; version: number }>(database.db, sql`SELECT listed, version FROM tickets WHERE owner_id = ${ownerId}`);
}

describe('applySellerModerations', () => {
  it('applies a batch as if one decision after another, reporting each in order', async () => {
    const [ana, bo, cy] = [randomUUID(), randomUUID(), randomUUID()];
    for (const ownerId of [ana, bo, bo, cy]) await createTicket(context, { ownerId, title: 'Seat', price: 100 });

    const outcomes = await applySellerModerations(context, [
      { ownerId: ana, banned: true, decidedAt: at(1) },
      { ownerId: bo, banned: true, decidedAt: at(1) },
      { ownerId: ana, banned: false, decidedAt: at(2) },
      // Older than the ban above: stale, changes nothing.
      { ownerId: bo, banned: false, decidedAt: at(0) },
      { ownerId: cy, banned: false, decidedAt: at(3) },
    ]);

    expect(outcomes).toEqual([
      { applied: true, tickets: 1 },
      { applied: true, tickets: 2 },
      { applied: true, tickets: 1 },
      { applied: false, tickets: 0 },
      { applied: true, tickets: 0 },
    ]);
    // Ana was unlisted, then relisted: two version bumps, as with two separate events.
    expect(await stateOf(ana)).toEqual([{ listed: true, version: 3 }]);
    expect(await stateOf(bo)).toEqual([
      { listed: false, version: 2 },
      { listed: false, version: 2 },
    ]);
    expect(await stateOf(cy)).toEqual([{ listed: true, version: 1 }]);
  });

  it('changes nothing for a redelivered batch', async () => {
    const seller = randomUUID();
    await createTicket(context, { ownerId: seller, title: 'Seat', price: 100 });
    const batch = [{ ownerId: seller, banned: true, decidedAt: at(5) }];
    await applySellerModerations(context, batch);
    expect(await applySellerModerations(context, batch)).toEqual([{ applied: false, tickets: 0 }]);
    expect(await stateOf(seller)).toEqual([{ listed: false, version: 2 }]);
  });
});
