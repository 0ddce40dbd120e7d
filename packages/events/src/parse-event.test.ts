import { EventError, type EventErrorCode } from './errors';
import { parseEvent } from './parse-event';

const revokedAt = '2026-11-23T02:00:00.123Z';
const envelope = { id: 'e1', version: 1, occurredAt: revokedAt, source: 'auth' };

function codeOf(input: unknown): EventErrorCode | undefined {
  try {
    parseEvent(input);
    return undefined;
  } catch (error) {
    if (error instanceof EventError) return error.code;
    throw error;
  }
}

describe('parseEvent', () => {
  it.each([
    ['user.banned', { userId: 'u1', reason: 'spam', revokedAt }],
    ['user.banned', { userId: 'u1', revokedAt }],
    ['user.unbanned', { userId: 'u1' }],
    ['user.sessions_revoked', { userId: 'u1', revokedAt }],
    ['session.revoked', { userId: 'u1', sessionId: 's1', revokedAt }],
  ])('accepts a valid %s event', (type, data) => {
    expect(parseEvent({ ...envelope, type, data })).toEqual({ ...envelope, type, data });
  });

  it.each([
    ['user.banned', { userId: 'u1', reason: 'spam', revokedAt }],
    ['user.unbanned', { userId: 'u1' }],
    ['user.sessions_revoked', { userId: 'u1', revokedAt }],
    ['session.revoked', { userId: 'u1', sessionId: 's1', revokedAt }],
  ])('reads the optional email of a %s event, and the same event recorded before it existed', (type, data) => {
    const withEmail = { ...data, email: 'ada@example.com' };

    expect(parseEvent({ ...envelope, type, data: withEmail }).data).toEqual(withEmail);
    expect(parseEvent({ ...envelope, type, data }).data).toEqual(data);
    expect(parseEvent({ ...envelope, type, data }).data).not.toHaveProperty('email');
  });

  it('accepts the same event as a JSON string and as bytes', () => {
    const event = { ...envelope, type: 'user.unbanned', data: { userId: 'u1' } };
    expect(parseEvent(JSON.stringify(event))).toEqual(event);
    expect(parseEvent(new TextEncoder().encode(JSON.stringify(event)))).toEqual(event);
  });

  it('strips unknown data fields so consumers see only the contract', () => {
    const event = parseEvent({ ...envelope, type: 'user.unbanned', data: { userId: 'u1', extra: true } });
    expect(event.data).toEqual({ userId: 'u1' });
  });

  it('rejects an unknown version with EVENT_UNSUPPORTED_VERSION', () => {
    expect(codeOf({ ...envelope, version: 2, type: 'user.unbanned', data: { userId: 'u1' } })).toBe('EVENT_UNSUPPORTED_VERSION');
  });

  it('rejects an unknown type with EVENT_UNKNOWN_TYPE', () => {
    expect(codeOf({ ...envelope, type: 'user.promoted', data: { userId: 'u1' } })).toBe('EVENT_UNKNOWN_TYPE');
  });

  it.each([
    ['user.banned', { userId: 'u1' }],
    ['user.banned', { userId: '', revokedAt }],
    ['user.sessions_revoked', { userId: 'u1', revokedAt: '2026-11-23T02:00:00Z' }],
    ['session.revoked', { userId: 'u1', revokedAt }],
    ['user.unbanned', 'u1'],
    ['user.unbanned', { userId: 'u1', email: 'not an address' }],
    ['session.revoked', { userId: 'u1', sessionId: 's1', revokedAt, email: '' }],
  ])('rejects %s with invalid data %j as EVENT_INVALID_PAYLOAD', (type, data) => {
    expect(codeOf({ ...envelope, type, data })).toBe('EVENT_INVALID_PAYLOAD');
  });

  it.each([
    ['non-JSON bytes', new Uint8Array([0xff, 0xfe, 0x00])],
    ['a truncated JSON string', '{"id":"e1",'],
    ['a JSON array', '[]'],
    ['null', null],
    ['a missing id', { ...envelope, id: undefined, type: 'user.unbanned', data: { userId: 'u1' } }],
    ['an occurredAt without milliseconds', { ...envelope, occurredAt: '2026-11-23T02:00:00Z', type: 'user.unbanned', data: { userId: 'u1' } }],
  ])('rejects %s as EVENT_MALFORMED', (_label, input) => {
    expect(codeOf(input)).toBe('EVENT_MALFORMED');
  });

  it('keeps the zod error as the cause of an invalid payload', () => {
    expect(() => parseEvent({ ...envelope, type: 'user.unbanned', data: {} })).toThrow(
      expect.objectContaining({ name: 'EventError', code: 'EVENT_INVALID_PAYLOAD', cause: expect.anything() }),
    );
  });
});
