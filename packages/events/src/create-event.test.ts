import { createEvent } from './create-event';
import { EventError } from './errors';

describe('createEvent', () => {
  it('fills id, version and occurredAt', () => {
    const occurredAt = new Date('2026-11-23T02:00:00.123Z');
    const event = createEvent('session.revoked', { userId: 'u1', sessionId: 's1', revokedAt: occurredAt.toISOString() }, { source: 'auth', occurredAt });
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'session.revoked',
      version: 1,
      occurredAt: '2026-11-23T02:00:00.123Z',
      source: 'auth',
      data: { userId: 'u1', sessionId: 's1', revokedAt: '2026-11-23T02:00:00.123Z' },
    });
  });

  it('uses the given id so a retry keeps its identity', () => {
    expect(createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth', id: 'fixed' }).id).toBe('fixed');
  });

  it('gives each event a fresh id by default', () => {
    const a = createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth' });
    const b = createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth' });
    expect(a.id).not.toBe(b.id);
  });

  it('rejects invalid data with EVENT_INVALID_PAYLOAD', () => {
    expect(() => createEvent('user.banned', { userId: 'u1', revokedAt: 'yesterday' }, { source: 'auth' })).toThrow(expect.objectContaining({ code: 'EVENT_INVALID_PAYLOAD' }));
    expect(() => createEvent('user.banned', { userId: 'u1', revokedAt: 'yesterday' }, { source: 'auth' })).toThrow(EventError);
  });

  it('throws TypeError when the source is missing', () => {
    expect(() => createEvent('user.unbanned', { userId: 'u1' }, { source: '' })).toThrow(TypeError);
  });

  it('throws TypeError for an invalid occurredAt', () => {
    expect(() => createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth', occurredAt: new Date('nope') })).toThrow(TypeError);
  });
});
