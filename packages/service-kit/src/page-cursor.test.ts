import { decodeCursor, encodeCursor, toPage } from './page-cursor';
import { ValidationError } from './service-error';

const row = (id: string, ms: number) => ({ id, createdAt: new Date(ms) });

describe('page cursors', () => {
  it("round-trip the position of a page's last row", () => {
    const last = row('3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', Date.parse('2026-11-25T09:00:00.123Z'));
    expect(decodeCursor(encodeCursor(last))).toEqual(last);
  });

  it('round-trip the first and the last instant PostgreSQL and the cursor both accept', () => {
    for (const instant of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z', '2024-02-29T00:00:00.000Z']) {
      const last = row('3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f', Date.parse(instant));
      expect(decodeCursor(encodeCursor(last))).toEqual(last);
    }
  });

  it('mean the first page when absent', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
  });

  it.each([
    ['not base64 json', '%%%'],
    ['wrong shape', Buffer.from(JSON.stringify({ a: 1 })).toString('base64url')],
    ['not a uuid', Buffer.from(JSON.stringify(['2026-11-25T09:00:00.000Z', 'x'])).toString('base64url')],
    ...['0000-01-01T00:00:00.000Z', '2026-02-30T00:00:00.000Z', '2026-02-29T12:00:00.000Z', '2026-11-25T24:00:00.000Z'].map((instant): [string, string] => [
      `the instant ${instant}, which PostgreSQL would refuse`,
      Buffer.from(JSON.stringify([instant, '3f0c1d2e-4b5a-4c6d-8e7f-9a0b1c2d3e4f'])).toString('base64url'),
    ]),
  ])('refuse %s with VALIDATION_FAILED on the cursor field', (_name, cursor) => {
    let thrown: unknown;
    try {
      decodeCursor(cursor);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors).toEqual([{ field: 'cursor', message: 'Invalid cursor' }]);
  });

  it('cut a page from limit + 1 rows, with a cursor only when another page exists', () => {
    const rows = [row('00000000-0000-4000-8000-000000000003', 3), row('00000000-0000-4000-8000-000000000002', 2), row('00000000-0000-4000-8000-000000000001', 1)];
    const first = toPage(rows, 2);
    expect(first.items).toEqual(rows.slice(0, 2));
    expect(decodeCursor(first.nextCursor ?? undefined)).toEqual(rows[1]);
    expect(toPage(rows.slice(0, 2), 2)).toEqual({ items: rows.slice(0, 2), nextCursor: null });
  });
});
