import { createEvent } from './create-event';
import { ArchiveLineError, formatArchiveLine, parseArchiveLine } from './stream-archive-line';

const ban = createEvent('user.banned', { userId: 'u1', revokedAt: '2026-01-15T10:00:00.000Z' }, { source: 'auth', occurredAt: new Date('2026-01-15T10:00:00.000Z') });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('parseArchiveLine', () => {
  it('reads a bare envelope as an event', () => {
    expect(parseArchiveLine(JSON.stringify(ban), 1)).toEqual({ line: 1, payload: { kind: 'event', event: ban } });
  });

  it('reads a recorded line with its subject, sequence, time and headers', () => {
    const line = JSON.stringify({ seq: 7, subject: 'auth.user.banned', time: '2026-01-15T10:00:00.001Z', headers: { 'Nats-Msg-Id': [ban.id] }, data: ban });
    expect(parseArchiveLine(line, 2)).toEqual({
      line: 2,
      subject: 'auth.user.banned',
      seq: 7,
      time: '2026-01-15T10:00:00.001Z',
      headers: { 'Nats-Msg-Id': [ban.id] },
      payload: { kind: 'event', event: ban },
    });
  });

  it('turns {"$raw": text} into exactly those bytes', () => {
    const entry = parseArchiveLine('{"$raw":"{not json"}', 3);
    expect(entry?.payload.kind).toBe('raw');
    expect(entry?.payload.kind === 'raw' && text(entry.payload.bytes)).toBe('{not json');
  });

  it('keeps an event of an unknown version as raw JSON', () => {
    const entry = parseArchiveLine(JSON.stringify({ ...ban, version: 2 }), 4);
    expect(entry?.payload.kind === 'raw' && JSON.parse(text(entry.payload.bytes))).toEqual({ ...ban, version: 2 });
  });

  it('skips blank lines', () => {
    expect(parseArchiveLine('   ', 5)).toBeUndefined();
  });

  it('rejects a line that is not JSON with its line number', () => {
    const error = (() => {
      try {
        parseArchiveLine('nope', 6);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ArchiveLineError);
    expect(error).toMatchObject({ code: 'EVENT_MALFORMED', line: 6 });
  });

  it('rejects a recorded line without data', () => {
    expect(() => parseArchiveLine('{"subject":"auth.x","seq":1}', 7)).toThrow(expect.objectContaining({ code: 'EVENT_MALFORMED', line: 7 }));
  });
});

describe('formatArchiveLine', () => {
  const base = { seq: 1, subject: 'auth.user.banned', time: '2026-01-15T10:00:00.000Z' };

  it.each([
    ['a JSON event', new TextEncoder().encode(JSON.stringify(ban))],
    ['text that is not JSON', new TextEncoder().encode('{"id": oops')],
    ['bytes that are not UTF-8', Uint8Array.from([0xff, 0xfe, 0x00, 0x41])],
  ])('writes %s so that it reads back to the same payload bytes', (_name, data) => {
    const entry = parseArchiveLine(formatArchiveLine({ ...base, data }), 1);
    const bytes = entry?.payload.kind === 'raw' ? entry.payload.bytes : new TextEncoder().encode(JSON.stringify(entry?.payload.event));
    expect(Buffer.from(bytes).equals(Buffer.from(data))).toBe(true);
  });
});
