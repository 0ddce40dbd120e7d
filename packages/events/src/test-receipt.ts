import type { EnforcementReceipt } from './enforcement-receipt';

/**
 * A valid enforcement receipt of a `ready` tickets instance that applied nothing yet, heartbeating
 * every second; `fields` override any field (`service`, `instanceId`, `lastSeq`, `state`, …).
 *
 * @param fields - fields to set
 * @example
 * fleet.record(testReceipt({ instanceId: 'host-a', lastSeq: 3 }));
 */
export function testReceipt(fields: Partial<EnforcementReceipt> = {}): EnforcementReceipt {
  return {
    v: 1,
    service: 'tickets',
    instanceId: 'test-instance',
    sentAt: new Date().toISOString(),
    intervalMs: 1000,
    state: 'ready',
    reason: null,
    lastSeq: 0,
    lastEventId: null,
    lastAppliedAt: null,
    lagMs: null,
    applied: [],
    ...fields,
  };
}
