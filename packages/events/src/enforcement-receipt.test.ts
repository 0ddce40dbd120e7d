import { randomUUID } from 'node:crypto';
import { allReceiptsSubject, encodeEnforcementReceipt, MAX_RECEIPT_APPLIED, parseEnforcementReceipt, receiptSubject, type EnforcementReceipt } from './enforcement-receipt';
import { isEventError } from './errors';

function receipt(overrides: Partial<EnforcementReceipt> = {}): EnforcementReceipt {
  const eventId = randomUUID();
  return {
    v: 1,
    service: 'tickets',
    instanceId: 'tickets-7f9c-1',
    sentAt: '2026-12-01T10:00:00.020Z',
    intervalMs: 5000,
    state: 'ready',
    reason: null,
    lastSeq: 42,
    lastEventId: eventId,
    lastAppliedAt: '2026-12-01T10:00:00.012Z',
    lagMs: 3.5,
    applied: [{ eventId, seq: 42, type: 'user.banned', occurredAt: '2026-12-01T10:00:00.008Z', appliedAt: '2026-12-01T10:00:00.012Z', live: true }],
    ...overrides,
  };
}

describe('enforcement receipts', () => {
  it('round-trips through the bytes published on NATS', () => {
    const original = receipt();
    expect(parseEnforcementReceipt(encodeEnforcementReceipt(original))).toEqual(original);
  });

  it('names one subject per service and a wildcard over all of them', () => {
    expect(receiptSubject('tickets')).toBe('veto.receipts.tickets');
    expect(allReceiptsSubject()).toBe('veto.receipts.*');
    expect(() => receiptSubject('tickets.>')).toThrow(TypeError);
  });

  it.each([
    ['a wrong version', { v: 2 }],
    ['a service that is not one token', { service: 'tick ets' }],
    ['an unknown state', { state: 'fine' }],
    ['a negative sequence', { lastSeq: -1 }],
    ['a time without milliseconds', { sentAt: '2026-12-01T10:00:00Z' }],
    ['too many applied events', { applied: Array.from({ length: MAX_RECEIPT_APPLIED + 1 }, () => receipt().applied[0]) }],
  ])('refuses %s with RECEIPT_MALFORMED', (_label, overrides) => {
    const error = (() => {
      try {
        parseEnforcementReceipt({ ...receipt(), ...overrides });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(isEventError(error, 'RECEIPT_MALFORMED')).toBe(true);
  });

  it('refuses bytes that are not JSON with RECEIPT_MALFORMED', () => {
    expect(() => parseEnforcementReceipt(new TextEncoder().encode('{'))).toThrow(expect.objectContaining({ code: 'RECEIPT_MALFORMED' }));
  });
});
