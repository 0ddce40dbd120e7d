import type { EnforcementReceipt } from '@veto/events';
import { createTestClock } from '../test-support/test-app';
import { testReceipt as receipt } from '../test-support/test-receipt';
import { createFleetView } from './fleet-view';

function applied(seq: number, live = true): EnforcementReceipt['applied'][number] {
  return { eventId: `event-${seq}`, seq, type: 'user.banned', occurredAt: '2026-01-15T10:00:00.000Z', appliedAt: '2026-01-15T10:00:00.005Z', live };
}

describe('createFleetView', () => {
  it('keeps only the most recent events per instance; an evicted one still counts as applied through lastSeq, with an unknown time', () => {
    const fleet = createFleetView({ clock: createTestClock(), recentEventsPerInstance: 2 });
    fleet.record(receipt('a', { lastSeq: 3, applied: [applied(1), applied(2), applied(3)] }));
    const [instance] = fleet.liveInstances();
    expect(fleet.appliedBy(instance!, { id: 'event-1', streamSeq: 1 })).toEqual({ applied: true, appliedAt: null });
    expect(fleet.appliedBy(instance!, { id: 'event-3', streamSeq: 3 })).toEqual({ applied: true, appliedAt: '2026-01-15T10:00:00.005Z' });
    expect(fleet.appliedBy(instance!, { id: 'event-4', streamSeq: 4 })).toEqual({ applied: false });
    expect(fleet.appliedBy(instance!, { id: 'unpublished', streamSeq: null })).toEqual({ applied: false });
  });

  it('reports each applied event once per instance, however often it is repeated', () => {
    const fleet = createFleetView({ clock: createTestClock() });
    expect(fleet.record(receipt('a', { applied: [applied(1)] })).newlyApplied).toHaveLength(1);
    expect(fleet.record(receipt('a', { applied: [applied(1), applied(2)] })).newlyApplied.map((entry) => entry.seq)).toEqual([2]);
    expect(fleet.record(receipt('b', { applied: [applied(1)] })).newlyApplied).toHaveLength(1);
  });

  it('refuses new instances when full, and takes them again once others expired', () => {
    const clock = createTestClock();
    const fleet = createFleetView({ clock, maxInstances: 1 });
    expect(fleet.record(receipt('a')).accepted).toBe(true);
    expect(fleet.record(receipt('b')).accepted).toBe(false);
    expect(fleet.record(receipt('a', { lastSeq: 1 })).accepted).toBe(true);
    clock.advance(3000);
    expect(fleet.record(receipt('b')).accepted).toBe(true);
    expect(fleet.liveInstances().map((instance) => instance.instanceId)).toEqual(['b']);
  });

  it('tells listeners about every accepted receipt, a stopped one included', () => {
    const fleet = createFleetView({ clock: createTestClock() });
    const seen: string[] = [];
    const off = fleet.onReceipt((r) => seen.push(`${r.instanceId}:${r.state}`));
    fleet.record(receipt('a'));
    fleet.record(receipt('a', { state: 'stopped' }));
    off();
    fleet.record(receipt('b'));
    expect(seen).toEqual(['a:ready', 'a:stopped']);
  });

  it('throws a TypeError for a bound that is not a positive integer', () => {
    expect(() => createFleetView({ clock: createTestClock(), recentEventsPerInstance: 0 })).toThrow(TypeError);
    expect(() => createFleetView({ clock: createTestClock(), maxInstances: 1.5 })).toThrow(TypeError);
  });
});
