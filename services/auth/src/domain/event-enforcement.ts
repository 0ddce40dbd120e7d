import type { Clock } from '../clock';
import type { Database } from '../data-access/database';
import { findOutboxEvent, type OutboxEventRecord } from '../data-access/outbox-repository';
import { AuthError } from '../errors';
import type { FleetInstance, FleetView } from './fleet-view';

/** A live instance that applied the event. */
export interface EnforcedInstance {
  readonly service: string;
  readonly instanceId: string;
  /** When it applied the event (its clock); null when it did so before this replica was watching. */
  readonly appliedAt: string | null;
  /** `appliedAt − occurredAt` in milliseconds, null when `appliedAt` is unknown. */
  readonly afterMs: number | null;
}

/** A live instance that has not applied the event yet. */
export interface MissingInstance {
  readonly service: string;
  readonly instanceId: string;
  readonly state: FleetInstance['state'];
  readonly reason: string | null;
  readonly lastSeq: number;
  readonly lastSeenAt: string;
}

/** Which live instances applied one event, as `GET /api/admin/events/{eventId}/enforcement` answers. */
export interface EventEnforcement {
  readonly eventId: string;
  readonly type: string;
  readonly userId: string;
  readonly occurredAt: string;
  readonly published: boolean;
  readonly streamSeq: number | null;
  /** Published, and no live instance is missing (vacuously true with no live instance). */
  readonly enforcedEverywhere: boolean;
  readonly instances: { readonly total: number; readonly enforced: number };
  readonly enforced: readonly EnforcedInstance[];
  readonly missing: readonly MissingInstance[];
  readonly checkedAt: string;
}

/** What a wait for enforcement ended with. */
export interface EnforcementWait {
  readonly enforcement: EventEnforcement;
  readonly waitedMs: number;
  /** True when the timeout (or the client leaving) ended the wait before `enforcedEverywhere`. */
  readonly timedOut: boolean;
}

/** What reading enforcement needs. */
export interface EnforcementDeps {
  readonly db: Database;
  readonly fleet: FleetView;
  readonly clock: Clock;
}

/** While the event is not published yet, the outbox row is read again this often (no receipt can announce the publish). */
const UNPUBLISHED_RECHECK_MS = 100;

/**
 * Confronts one outbox event with the live fleet.
 *
 * @param row - the outbox row
 * @param fleet - the fleet view
 * @param now - the check time
 * @returns the enforcement view of the event
 * @example
 * const view = describeEnforcement(row, fleet, clock());
 */
export function describeEnforcement(row: OutboxEventRecord, fleet: FleetView, now: number): EventEnforcement {
  const occurredAt = row.payload.occurredAt;
  const occurredMs = Date.parse(occurredAt);
  const event = { id: row.id, streamSeq: row.streamSeq };
  const enforced: EnforcedInstance[] = [];
  const missing: MissingInstance[] = [];
  for (const instance of fleet.liveInstances()) {
    const state = fleet.appliedBy(instance, event);
    if (state.applied) {
      const afterMs = state.appliedAt === null ? null : Date.parse(state.appliedAt) - occurredMs;
      enforced.push({ service: instance.service, instanceId: instance.instanceId, appliedAt: state.appliedAt, afterMs });
    } else {
      missing.push({
        service: instance.service,
        instanceId: instance.instanceId,
        state: instance.state,
        reason: instance.reason,
        lastSeq: instance.lastSeq,
        lastSeenAt: new Date(instance.lastSeenAt).toISOString(),
      });
    }
  }
  const published = row.publishedAt !== null;
  return {
    eventId: row.id,
    type: row.type,
    userId: row.payload.data.userId,
    occurredAt,
    published,
    streamSeq: row.streamSeq,
    enforcedEverywhere: published && missing.length === 0,
    instances: { total: enforced.length + missing.length, enforced: enforced.length },
    enforced,
    missing,
    checkedAt: new Date(now).toISOString(),
  };
}

async function loadEvent(db: Database, eventId: string): Promise<OutboxEventRecord> {
  const row = await findOutboxEvent(db, eventId);
  if (row === undefined) {
    throw new AuthError('EVENT_NOT_FOUND', `The outbox holds no event ${eventId} (never recorded, or purged past the retention)`);
  }
  return row;
}

/**
 * Which live instances applied an event and when.
 *
 * @param deps - database, fleet view, clock
 * @param eventId - the event id
 * @returns the enforcement view
 * @throws {AuthError} `EVENT_NOT_FOUND` when the outbox does not hold the event
 * @example
 * res.json(await readEventEnforcement({ db, fleet, clock }, eventId));
 */
export async function readEventEnforcement(deps: EnforcementDeps, eventId: string): Promise<EventEnforcement> {
  return describeEnforcement(await loadEvent(deps.db, eventId), deps.fleet, deps.clock());
}

/** Resolves on the next receipt, or after `ms`, or when `signal` aborts; `cancel` releases the listener and the timer. */
function nextChange(fleet: FleetView, ms: number, signal: AbortSignal): { changed: Promise<void>; cancel: () => void } {
  let cancel = () => undefined as void;
  const changed = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    const unsubscribe = fleet.onReceipt(() => resolve());
    signal.addEventListener('abort', () => resolve(), { once: true });
    cancel = () => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
  });
  return { changed, cancel };
}

/**
 * Waits until every live instance applied the event, the timeout passes, or `signal` aborts
 * (the client left). Event-driven: the view is checked again on each receipt, and when the
 * first missing instance would expire; the outbox row is only read again while the event is
 * not yet published, every {@link UNPUBLISHED_RECHECK_MS}.
 *
 * @param deps - database, fleet view, clock
 * @param eventId - the event id
 * @param options - the timeout in milliseconds and an abort signal
 * @returns the last view, the time waited and whether it timed out
 * @throws {AuthError} `EVENT_NOT_FOUND` when the outbox does not hold the event
 * @example
 * const { enforcement, timedOut } = await waitForEnforcement(deps, eventId, { timeoutMs: 5000, signal });
 */
export async function waitForEnforcement(deps: EnforcementDeps, eventId: string, options: { timeoutMs: number; signal: AbortSignal }): Promise<EnforcementWait> {
  const started = performance.now();
  let row = await loadEvent(deps.db, eventId);
  for (;;) {
    const remaining = options.timeoutMs - (performance.now() - started);
    const view = describeEnforcement(row, deps.fleet, deps.clock());
    if (view.enforcedEverywhere || remaining <= 0 || options.signal.aborted) {
      return { enforcement: view, waitedMs: performance.now() - started, timedOut: !view.enforcedEverywhere };
    }
    const firstExpiry = Math.min(...deps.fleet.liveInstances().map((instance) => instance.expiresAt)) - deps.clock();
    // Listening starts before the row is read again, so a receipt arriving meanwhile still wakes us.
    const next = nextChange(deps.fleet, Math.min(remaining, firstExpiry, view.published ? Infinity : UNPUBLISHED_RECHECK_MS), options.signal);
    try {
      if (!view.published) {
        row = (await findOutboxEvent(deps.db, eventId)) ?? row;
        if (row.publishedAt !== null) continue;
      }
      await next.changed;
    } finally {
      next.cancel();
    }
  }
}
