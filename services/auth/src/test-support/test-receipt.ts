import type { EnforcementReceipt } from '@veto/events';
import { testReceipt as receipt } from '@veto/events/testing';

/**
 * An enforcement receipt of a `ready` tickets instance that applied nothing yet, heartbeating
 * every second; `fields` override any field.
 *
 * @param instanceId - the instance
 * @param fields - fields to set, e.g. `{ lastSeq: 3, state: 'stopped' }`
 * @example
 * fleet.record(testReceipt('host-a', { lastSeq: 3 }));
 */
export function testReceipt(instanceId: string, fields: Partial<EnforcementReceipt> = {}): EnforcementReceipt {
  return receipt({ instanceId, ...fields });
}
