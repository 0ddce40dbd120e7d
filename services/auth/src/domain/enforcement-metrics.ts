import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import { highestStreamSeqPublishedBefore } from '../data-access/outbox-repository';
import type { FleetView } from './fleet-view';

/** What became of one message on `veto.receipts.*`. */
export type ReceiptOutcome = 'accepted' | 'malformed' | 'refused';

/** What the receipt subscriber reports to Prometheus. */
export interface EnforcementMetrics {
  /** One receipt message handled. */
  receipt(outcome: ReceiptOutcome): void;
}

/**
 * Registers the enforcement metrics: `veto_enforcement_delay_seconds{service,type}` (event commit
 * → applied by an instance, live events only, once per instance and event),
 * `veto_enforcement_instances{service,state}` and `veto_enforcement_instances_behind{service}`
 * (live instances that have not applied an event published more than `behindAfterSeconds` ago),
 * both computed at scrape, and `veto_enforcement_receipts_total{outcome}`.
 *
 * @param registry - the service's registry
 * @param deps - the database (for the stream sequence of old events), the fleet view, the clock and the "behind" age
 * @returns the recorder the receipt subscriber reports to
 * @example
 * const metrics = registerEnforcementMetrics(registry, { db, fleet, clock: systemClock, behindAfterSeconds: 5 });
 */
export function registerEnforcementMetrics(registry: Registry, deps: { db: Database; fleet: FleetView; clock: Clock; behindAfterSeconds: number }): EnforcementMetrics {
  const delay = new Histogram({
    name: 'veto_enforcement_delay_seconds',
    help: "Time from an event's commit to its application by one instance, per reporting service and event type (live events only)",
    labelNames: ['service', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'veto_enforcement_instances',
    help: 'Live instances reporting enforcement receipts, by service and feed state',
    labelNames: ['service', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const instance of deps.fleet.liveInstances()) this.inc({ service: instance.service, state: instance.state });
    },
  });
  new Gauge({
    name: 'veto_enforcement_instances_behind',
    help: 'Live instances that have not applied an event published more than ENFORCEMENT_BEHIND_AFTER_SECONDS ago',
    labelNames: ['service'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const instances = deps.fleet.liveInstances();
      const seq = await highestStreamSeqPublishedBefore(deps.db, new Date(deps.clock() - deps.behindAfterSeconds * 1000));
      for (const instance of instances) {
        this.inc({ service: instance.service }, seq !== undefined && instance.lastSeq < seq ? 1 : 0);
      }
    },
  });
  const receipts = new Counter({
    name: 'veto_enforcement_receipts_total',
    help: 'Messages on veto.receipts.*: accepted, malformed (not a valid receipt), refused (the fleet view is full)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  deps.fleet.onReceipt((receipt, outcome) => {
    for (const entry of outcome.newlyApplied) {
      if (!entry.live) continue;
      // Two clocks meet here (the instance's and auth's): a skew can make it negative; it counts as immediate.
      delay.observe({ service: receipt.service, type: entry.type }, Math.max(0, Date.parse(entry.appliedAt) - Date.parse(entry.occurredAt)) / 1000);
    }
  });
  return {
    receipt(outcome) {
      receipts.inc({ outcome });
    },
  };
}
