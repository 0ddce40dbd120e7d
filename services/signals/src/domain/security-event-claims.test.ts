import { createEvent, type VetoEvent } from '@veto/events';
import { SignalsError } from '../errors';
import type { ReceiverStream } from './receiver-stream';
import { claimsForEvent, claimsForStreamUpdate, claimsForVerification, type SecurityEventContext } from './security-event-claims';
import { securityEventId } from './security-event-id';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0, 750);
const NOW_SECONDS = Math.floor(NOW / 1000);
const context: SecurityEventContext = { issuer: 'https://signals.example.com', subjectIssuer: 'https://auth.example.com', clock: () => NOW };
const issSubStream: ReceiverStream = { id: 'stream-1', aud: 'https://receiver.example.com', subjectFormat: 'iss_sub' };
const emailStream: ReceiverStream = { id: 'stream-2', aud: ['https://rp.example.com/web', 'https://rp.example.com/mobile'], subjectFormat: 'email' };
const USER = 'user-42';
const emailOf = (userId: string) => (userId === USER ? 'ada@example.com' : undefined);

const OCCURRED = '2026-01-15T11:59:58.250Z';
const OCCURRED_SECONDS = Math.floor(Date.parse(OCCURRED) / 1000);
const REVOKED = '2026-01-15T11:59:57.999Z';
const REVOKED_SECONDS = Math.floor(Date.parse(REVOKED) / 1000);

function event<T extends VetoEvent['type']>(type: T, data: Extract<VetoEvent, { type: T }>['data']): VetoEvent {
  return createEvent(type, data as never, { source: 'auth', occurredAt: new Date(OCCURRED), id: `evt-${type}` }) as VetoEvent;
}

const banned = event('user.banned', { userId: USER, reason: 'spam', revokedAt: REVOKED });
const bannedWithoutReason = event('user.banned', { userId: USER, revokedAt: REVOKED });
const unbanned = event('user.unbanned', { userId: USER });
const sessionsRevoked = event('user.sessions_revoked', { userId: USER, revokedAt: REVOKED });
const sessionRevoked = event('session.revoked', { userId: USER, sessionId: 'session-7', revokedAt: REVOKED });

/** A stream of each subject format, and the user as such a stream names them (RFC 9493 §3.2.3, §3.2.2). */
const USER_IN_EACH_FORMAT = [
  ['iss_sub', issSubStream, { format: 'iss_sub', iss: 'https://auth.example.com', sub: USER }],
  ['email', emailStream, { format: 'email', email: 'ada@example.com' }],
] as const;

const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type/';

describe('claimsForEvent', () => {
  it('builds the common claims of a SET from the event, the stream and the clock (RFC 8417 §2.2)', () => {
    const claims = claimsForEvent(banned, issSubStream, context);
    expect(Object.keys(claims).sort()).toEqual(['aud', 'events', 'iat', 'iss', 'jti', 'sub_id', 'toe', 'txn']);
    expect(claims.iss).toBe('https://signals.example.com');
    expect(claims.aud).toBe('https://receiver.example.com');
    expect(claims.iat).toBe(NOW_SECONDS);
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect(claims.toe).toBe(OCCURRED_SECONDS);
    expect(claims.txn).toBe('evt-user.banned');
    expect(claims.jti).toBe(securityEventId('event', 'stream-1', 'evt-user.banned'));
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
  });

  it('never writes sub or exp (SSF 1.0 §4.1.2, §4.1.7)', () => {
    for (const source of [banned, unbanned, sessionsRevoked, sessionRevoked]) {
      const claims = claimsForEvent(source, issSubStream, context) as unknown as Record<string, unknown>;
      expect([source.type, 'sub' in claims, 'exp' in claims]).toEqual([source.type, false, false]);
    }
  });

  it('copies an array aud of one receiver as it is', () => {
    expect(claimsForEvent(banned, emailStream, context, emailOf).aud).toEqual(['https://rp.example.com/web', 'https://rp.example.com/mobile']);
  });

  it('keeps the jti when the same event is encoded again later for the same stream, and changes it per stream and per event', () => {
    const first = claimsForEvent(banned, issSubStream, context);
    const again = claimsForEvent(banned, issSubStream, { ...context, clock: () => NOW + 60_000 });
    expect(again.jti).toBe(first.jti);
    expect(again.iat).toBe(NOW_SECONDS + 60);
    expect(claimsForEvent(banned, { ...issSubStream, id: 'stream-3' }, context).jti).not.toBe(first.jti);
    expect(claimsForEvent(unbanned, issSubStream, context).jti).not.toBe(first.jti);
  });

  describe('user.banned → RISC account-disabled', () => {
    it('names the user in iss_sub format, with the auth service as issuer (RFC 9493 §3.2.3)', () => {
      const claims = claimsForEvent(banned, issSubStream, context);
      expect(claims.sub_id).toEqual({ format: 'iss_sub', iss: 'https://auth.example.com', sub: USER });
      expect(claims.events).toEqual({ [`${RISC}account-disabled`]: { reason_admin: { en: 'spam' } } });
    });

    it('carries the free-text reason as reason_admin, never as RISC reason (only hijacking or bulk-account)', () => {
      const payload = claimsForEvent(banned, issSubStream, context).events[`${RISC}account-disabled`];
      expect(payload).not.toHaveProperty('reason');
      expect(payload).toEqual({ reason_admin: { en: 'spam' } });
    });

    it('sends an empty event object when the ban has no reason', () => {
      expect(claimsForEvent(bannedWithoutReason, issSubStream, context).events).toEqual({ [`${RISC}account-disabled`]: {} });
    });

    it('names the user by email for an email stream (RFC 9493 §3.2.2)', () => {
      expect(claimsForEvent(banned, emailStream, context, emailOf).sub_id).toEqual({ format: 'email', email: 'ada@example.com' });
    });
  });

  describe('user.unbanned → RISC account-enabled', () => {
    it.each(USER_IN_EACH_FORMAT)('has no attributes and names the user in %s format', (_format, stream, subject) => {
      const claims = claimsForEvent(unbanned, stream, context, emailOf);
      expect(claims.events).toEqual({ [`${RISC}account-enabled`]: {} });
      expect(claims.sub_id).toEqual(subject);
      expect(claims.toe).toBe(OCCURRED_SECONDS);
    });
  });

  describe('user.sessions_revoked → CAEP session-revoked on the user', () => {
    it.each(USER_IN_EACH_FORMAT)('says when, who and why, and names the user in %s format', (_format, stream, subject) => {
      const claims = claimsForEvent(sessionsRevoked, stream, context, emailOf);
      expect(claims.sub_id).toEqual(subject);
      expect(claims.events).toEqual({
        [`${CAEP}session-revoked`]: {
          event_timestamp: REVOKED_SECONDS,
          initiating_entity: 'admin',
          reason_admin: { en: 'An administrator revoked every session of the user' },
        },
      });
    });
  });

  describe('session.revoked → CAEP session-revoked on the session', () => {
    it.each(USER_IN_EACH_FORMAT)('names the session and its user in a complex subject (SSF 1.0 §3.3) in %s format', (_format, stream, user) => {
      const claims = claimsForEvent(sessionRevoked, stream, context, emailOf);
      expect(claims.sub_id).toEqual({ format: 'complex', user, session: { format: 'opaque', id: 'session-7' } });
    });

    it('says when and why, with a non-empty reason_admin, and no initiating_entity it cannot know', () => {
      const payload = claimsForEvent(sessionRevoked, issSubStream, context).events[`${CAEP}session-revoked`];
      expect(payload).toEqual({
        event_timestamp: REVOKED_SECONDS,
        reason_admin: { en: 'The session was revoked: the user signed out, or its refresh token was reused' },
      });
      expect(Number.isInteger(payload?.event_timestamp)).toBe(true);
    });
  });

  it('writes exactly one member in events, for every event type (CAEP Interoperability Profile 1.0 §2.8)', () => {
    for (const source of [banned, unbanned, sessionsRevoked, sessionRevoked]) {
      expect([source.type, Object.keys(claimsForEvent(source, issSubStream, context).events).length]).toEqual([source.type, 1]);
    }
  });

  it('refuses an event type without a SET mapping with UNSUPPORTED_EVENT_TYPE', () => {
    const unknown = { ...unbanned, type: 'user.renamed' } as unknown as VetoEvent;
    expect(() => claimsForEvent(unknown, issSubStream, context)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_EVENT_TYPE', name: 'SignalsError' }));
    expect(() => claimsForEvent(unknown, issSubStream, context)).toThrow(SignalsError);
  });

  it.each([
    ['no lookup', undefined],
    ['a lookup that does not know the user', () => undefined],
    ['a lookup answering an empty address', () => ''],
  ])('refuses an email stream with SUBJECT_EMAIL_UNKNOWN given %s', (_name, lookup) => {
    expect(() => claimsForEvent(banned, emailStream, context, lookup)).toThrow(expect.objectContaining({ code: 'SUBJECT_EMAIL_UNKNOWN' }));
  });
});

describe('claimsForVerification', () => {
  it('names the stream as an opaque subject and echoes the state (SSF 1.0 §8.1.4.1)', () => {
    const claims = claimsForVerification(issSubStream, { id: 'verify-1', state: 'c3RhdGU=' }, context);
    expect(claims).toEqual({
      iss: 'https://signals.example.com',
      jti: securityEventId('verification', 'stream-1', 'verify-1'),
      iat: NOW_SECONDS,
      aud: 'https://receiver.example.com',
      txn: 'verify-1',
      sub_id: { format: 'opaque', id: 'stream-1' },
      events: { [`${SSF}verification`]: { state: 'c3RhdGU=' } },
    });
  });

  it('sets no state when the receiver sent none (a transmitter-initiated verification)', () => {
    expect(claimsForVerification(issSubStream, { id: 'verify-2' }, context).events).toEqual({ [`${SSF}verification`]: {} });
  });

  it('gives a verification another jti than an event with the same id', () => {
    expect(claimsForVerification(issSubStream, { id: banned.id }, context).jti).not.toBe(claimsForEvent(banned, issSubStream, context).jti);
  });
});

describe('claimsForStreamUpdate', () => {
  it('names the stream as an opaque subject, with the new status and the reason (SSF 1.0 §8.1.5)', () => {
    const claims = claimsForStreamUpdate(emailStream, { id: 'change-1', status: 'paused', reason: 'Receiver unreachable' }, context);
    expect(claims).toEqual({
      iss: 'https://signals.example.com',
      jti: securityEventId('stream-updated', 'stream-2', 'change-1'),
      iat: NOW_SECONDS,
      aud: ['https://rp.example.com/web', 'https://rp.example.com/mobile'],
      txn: 'change-1',
      sub_id: { format: 'opaque', id: 'stream-2' },
      events: { [`${SSF}stream-updated`]: { status: 'paused', reason: 'Receiver unreachable' } },
    });
  });

  it('omits the reason when none is given', () => {
    expect(claimsForStreamUpdate(emailStream, { id: 'change-2', status: 'enabled' }, context).events).toEqual({ [`${SSF}stream-updated`]: { status: 'enabled' } });
  });
});
