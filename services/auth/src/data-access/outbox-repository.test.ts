import { sql } from 'drizzle-orm';
import { createEvent, subjectFor } from '@veto/events';
import { selectRows } from '../test-support/test-database';
import { openTestDatabase, type TestDatabase } from '../test-support/test-database';
import { claimOutboxRows, insertOutboxEvent, markOutboxPublished, OUTBOX_LEASE_MS, purgePublishedOutbox } from './outbox-repository';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(() => database.reset());
afterAll(() => database.close());

describe('the outbox', () => {
  it('hands out events written in the same millisecond in the order they were written, not by id', async () => {
    const occurredAt = new Date('2026-11-25T09:00:00.000Z');
    // Ids sorting against the write order: an order by (time, id) would reverse them.
    const ids = ['ffffffff-ffff-4fff-bfff-ffffffffffff', '88888888-8888-4888-8888-888888888888', '00000000-0000-4000-8000-000000000000'];
    for (const id of ids) {
      const event = createEvent('user.banned', { userId: '11111111-1111-4111-8111-111111111111', revokedAt: occurredAt.toISOString() }, { source: 'auth', id, occurredAt });
      await database.db.transaction((tx) => insertOutboxEvent(tx, event, subjectFor(event.type)));
    }
    // Past the writer's lease, as for a relay taking over from an instance that died.
    const rows = await claimOutboxRows(database.db, { limit: 10, now: new Date(occurredAt.getTime() + OUTBOX_LEASE_MS), leaseMs: OUTBOX_LEASE_MS });
    expect(rows.map((row) => row.id)).toEqual(ids);
  });

  it('purges only published rows acknowledged before the cut-off, one batch per call, never a pending one', async () => {
    const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 9, minute));
    const write = async (minute: number, publishedMinute?: number) => {
      const event = createEvent('user.banned', { userId: '11111111-1111-4111-8111-111111111111', revokedAt: at(minute).toISOString() }, { source: 'auth', occurredAt: at(minute) });
      await database.db.transaction((tx) => insertOutboxEvent(tx, event, subjectFor(event.type)));
      if (publishedMinute !== undefined) {
        await markOutboxPublished(database.db, event.id, at(publishedMinute), minute);
      }
      return event.id;
    };
    for (const minute of [0, 1, 2]) {
      await write(minute, minute);
    }
    const pendingOld = await write(3);
    const recent = await write(30, 30);
    const remaining = async () => (await selectRows<{ id: string }>(database.db, sql`SELECT id FROM outbox ORDER BY seq`)).map((row) => row.id);

    expect(await purgePublishedOutbox(database.db, { before: at(10), limit: 2 })).toBe(2);
    expect(await purgePublishedOutbox(database.db, { before: at(10), limit: 2 })).toBe(1);
    expect(await purgePublishedOutbox(database.db, { before: at(10), limit: 2 })).toBe(0);
    expect(await remaining()).toEqual([pendingOld, recent]);
  });
});
