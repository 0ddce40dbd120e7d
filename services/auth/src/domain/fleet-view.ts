import { RECEIPT_EXPIRY_HEARTBEATS, type AppliedReceiptEntry, type EnforcementReceipt } from '@veto/events';
import type { Clock } from '../clock';

/**
 * How many recent events the view remembers per instance (eventId → appliedAt). An entry takes
 * about 125 bytes (measured on Node 20: a parsed 36-character id, a 24-character ISO time, the
 * map's slot), so ~125 KB per instance: ~12 MB for 100 instances, ~125 MB at
 * {@link MAX_FLEET_INSTANCES}. Forgetting an entry only loses its `appliedAt`: whether the instance
 * applied the event still follows from its `lastSeq`.
 */
export const RECENT_EVENTS_PER_INSTANCE = 1000;
/** The most instances the view tracks; receipts of further instances are refused until some expire. */
export const MAX_FLEET_INSTANCES = 1000;

/** One live instance as the fleet view knows it. */
export interface FleetInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly state: EnforcementReceipt['state'];
  readonly reason: string | null;
  readonly lastSeq: number;
  readonly lastEventId: string | null;
  readonly lastAppliedAt: string | null;
  readonly lagMs: number | null;
  /** When this auth replica received its last receipt, by its own clock. */
  readonly lastSeenAt: number;
  /** {@link RECEIPT_EXPIRY_HEARTBEATS} heartbeat intervals after `lastSeenAt`. */
  readonly expiresAt: number;
}

/** What recording one receipt did. */
export interface RecordOutcome {
  /** False when the view is full ({@link MAX_FLEET_INSTANCES}) and the instance is new. */
  readonly accepted: boolean;
  /** Entries of the receipt this instance had not reported before (each event once per instance). */
  readonly newlyApplied: readonly AppliedReceiptEntry[];
}

/** Whether and when one instance applied one event. */
export type AppliedState = { readonly applied: true; readonly appliedAt: string | null } | { readonly applied: false };

/** Called after each accepted receipt. */
export type FleetListener = (receipt: EnforcementReceipt, outcome: RecordOutcome) => void;

/** The live view of every instance reporting receipts, kept in memory by each auth replica. */
export interface FleetView {
  /** Takes in one validated receipt: a `stopped` one removes the instance at once. */
  record(receipt: EnforcementReceipt): RecordOutcome;
  /** The live instances, by service then instance id; expired ones are dropped on the way. */
  liveInstances(): FleetInstance[];
  /** Whether `instance` applied the event: its id was reported, or the instance is past its stream sequence. */
  appliedBy(instance: FleetInstance, event: { readonly id: string; readonly streamSeq: number | null }): AppliedState;
  /** Calls `listener` after every accepted receipt; returns the unsubscribe function. */
  onReceipt(listener: FleetListener): () => void;
}

interface Tracked {
  instance: FleetInstance;
  /** eventId → appliedAt, oldest first (a Map keeps insertion order). */
  readonly applied: Map<string, string>;
}

/**
 * Creates an empty fleet view. Expiry is measured on this replica's clock from the moment a
 * receipt arrives (never from the sender's `sentAt`, so clock skew between hosts cannot keep a
 * dead instance alive or expire a live one).
 *
 * @param options - the clock, and the memory bounds (defaults {@link RECENT_EVENTS_PER_INSTANCE}, {@link MAX_FLEET_INSTANCES})
 * @throws TypeError when a bound is not a positive integer
 * @example
 * const fleet = createFleetView({ clock: systemClock });
 * fleet.record(parseEnforcementReceipt(msg.data));
 */
export function createFleetView(options: { clock: Clock; recentEventsPerInstance?: number; maxInstances?: number }): FleetView {
  const recentEvents = options.recentEventsPerInstance ?? RECENT_EVENTS_PER_INSTANCE;
  const maxInstances = options.maxInstances ?? MAX_FLEET_INSTANCES;
  for (const [name, value] of [
    ['recentEventsPerInstance', recentEvents],
    ['maxInstances', maxInstances],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  const { clock } = options;
  const tracked = new Map<string, Tracked>();
  const listeners = new Set<FleetListener>();
  const keyOf = (service: string, instanceId: string) => `${service}\u0000${instanceId}`;

  const dropExpired = (now: number): void => {
    for (const [key, entry] of tracked) {
      if (entry.instance.expiresAt <= now) tracked.delete(key);
    }
  };

  return {
    record(receipt) {
      const now = clock();
      dropExpired(now);
      const key = keyOf(receipt.service, receipt.instanceId);
      if (receipt.state === 'stopped') {
        tracked.delete(key);
        const outcome = { accepted: true, newlyApplied: [] };
        for (const listener of listeners) listener(receipt, outcome);
        return outcome;
      }
      const instance: FleetInstance = {
        service: receipt.service,
        instanceId: receipt.instanceId,
        state: receipt.state,
        reason: receipt.reason,
        lastSeq: receipt.lastSeq,
        lastEventId: receipt.lastEventId,
        lastAppliedAt: receipt.lastAppliedAt,
        lagMs: receipt.lagMs,
        lastSeenAt: now,
        expiresAt: now + RECEIPT_EXPIRY_HEARTBEATS * receipt.intervalMs,
      };
      let entry = tracked.get(key);
      if (entry !== undefined) {
        entry.instance = instance;
      } else if (tracked.size < maxInstances) {
        entry = { instance, applied: new Map() };
        tracked.set(key, entry);
      } else {
        return { accepted: false, newlyApplied: [] };
      }
      const newlyApplied: AppliedReceiptEntry[] = [];
      for (const applied of receipt.applied) {
        if (entry.applied.has(applied.eventId)) continue;
        entry.applied.set(applied.eventId, applied.appliedAt);
        newlyApplied.push(applied);
        if (entry.applied.size > recentEvents) {
          const oldest = entry.applied.keys().next().value as string;
          entry.applied.delete(oldest);
        }
      }
      const outcome = { accepted: true, newlyApplied };
      for (const listener of listeners) listener(receipt, outcome);
      return outcome;
    },

    liveInstances() {
      dropExpired(clock());
      return [...tracked.values()]
        .map((entry) => entry.instance)
        .sort((a, b) => (a.service === b.service ? a.instanceId.localeCompare(b.instanceId) : a.service.localeCompare(b.service)));
    },

    appliedBy(instance, event) {
      const appliedAt = tracked.get(keyOf(instance.service, instance.instanceId))?.applied.get(event.id);
      if (appliedAt !== undefined) return { applied: true, appliedAt };
      if (event.streamSeq !== null && instance.lastSeq >= event.streamSeq) return { applied: true, appliedAt: null };
      return { applied: false };
    },

    onReceipt(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
