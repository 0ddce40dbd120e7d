import { createEvent } from '@veto/events';
import { applyRevocationEvent } from './apply-revocation-event';
import { RevocationCache } from './revocation-cache';

const NOW = Date.parse('2026-11-23T10:00:00.000Z');
const source = 'test';

describe('applyRevocationEvent', () => {
  const setup = () => new RevocationCache({ accessTokenTtlSeconds: 900, clock: () => NOW });

  it('turns a ban into a user watermark at the event revokedAt', () => {
    const cache = setup();
    const revokedAt = new Date(NOW - 1000).toISOString();
    expect(applyRevocationEvent(cache, createEvent('user.banned', { userId: 'u1', revokedAt }, { source }))).toBe(true);
    expect(cache.isRevoked({ sub: 'u1', sid: 's', iat: (NOW - 1000) / 1000 })).toBe(true);
    expect(cache.isRevoked({ sub: 'u1', sid: 's', iat: (NOW - 999) / 1000 })).toBe(false);
  });

  it('turns "revoke all sessions" into a user watermark', () => {
    const cache = setup();
    applyRevocationEvent(cache, createEvent('user.sessions_revoked', { userId: 'u1', revokedAt: new Date(NOW).toISOString() }, { source }));
    expect(cache.isRevoked({ sub: 'u1', sid: 's', iat: (NOW - 1) / 1000 })).toBe(true);
  });

  it('turns a session revocation into a session entry', () => {
    const cache = setup();
    applyRevocationEvent(cache, createEvent('session.revoked', { userId: 'u1', sessionId: 's1', revokedAt: new Date(NOW).toISOString() }, { source }));
    expect(cache.isRevoked({ sub: 'u1', sid: 's1', iat: (NOW + 5000) / 1000 })).toBe(true);
    expect(cache.isRevoked({ sub: 'u1', sid: 's2', iat: (NOW - 5000) / 1000 })).toBe(false);
  });

  it('leaves old tokens dead after an unban', () => {
    const cache = setup();
    applyRevocationEvent(cache, createEvent('user.banned', { userId: 'u1', revokedAt: new Date(NOW).toISOString() }, { source }));
    expect(applyRevocationEvent(cache, createEvent('user.unbanned', { userId: 'u1' }, { source }))).toBe(false);
    expect(cache.isRevoked({ sub: 'u1', sid: 's', iat: (NOW - 1) / 1000 })).toBe(true);
  });
});
