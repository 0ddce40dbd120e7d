import {
  encodeEnforcementReceipt,
  enforcementReceiptSchema,
  MAX_RECEIPT_APPLIED,
  RECEIPT_VERSION,
  receiptSubject,
  type AppliedReceiptEntry,
  type EnforcementReceipt,
  type Logger,
  type NatsConnection,
} from '@veto/events';
import type { AppliedRevocation, RevocationFeed } from './revocation-feed';

/** Options of {@link createEnforcementReporter}. */
export interface EnforcementReporterOptions {
  /** The connection receipts are published on (core NATS, `veto.receipts.<service>`). */
  nc: NatsConnection;
  /** The feed reported on; the reporter must be created before it applies anything that should be reported (right after `createRevocationFeed`). */
  feed: Pick<RevocationFeed, 'ready' | 'state' | 'reason' | 'stats' | 'onApplied'>;
  /** One subject token, e.g. `tickets`: receipts go to `veto.receipts.<service>`. */
  service: string;
  /** This instance, unique in the fleet: printable ASCII without spaces, at most 128 characters (a pod name, `<hostname>-<pid>`). */
  instanceId: string;
  /** Heartbeat interval in ms, an integer from 1 to 3 600 000. Default 5 000. The fleet view forgets an instance after three intervals without a receipt. */
  intervalMs?: number;
  /** Milliseconds since the epoch, for `appliedAt` and `sentAt`. Default `Date.now`; pass the feed's. */
  clock?: () => number;
  logger?: Logger;
}

/** A running reporter; see {@link createEnforcementReporter}. */
export interface EnforcementReporter {
  /** `sent`: receipts handed to the connection; `failed`: receipts that could not be (connection closed or draining), logged and dropped. */
  readonly stats: { readonly sent: number; readonly failed: number };
  /**
   * Sends what is pending, then a last receipt with state `stopped`, and stops listening and the
   * heartbeat. The receipts leave with the connection's next flush: drain the connection after
   * this, not before. A second call does nothing.
   */
  stop(): Promise<void>;
}

/** Where the feed stood after an applied event: the position fields of a receipt. */
type Position = Pick<EnforcementReceipt, 'lastSeq' | 'lastEventId' | 'lastAppliedAt' | 'lagMs'>;

const MAX_INTERVAL_MS = 3_600_000;

function checkOptions(options: EnforcementReporterOptions) {
  const { nc, feed, service, instanceId, intervalMs = 5_000, clock = Date.now, logger } = options;
  if (nc === null || typeof nc !== 'object' || typeof nc.publish !== 'function') throw new TypeError('nc must be a NatsConnection');
  if (feed === null || typeof feed !== 'object' || typeof feed.onApplied !== 'function') throw new TypeError('feed must be a RevocationFeed');
  // receiptSubject throws the TypeError for a service that is not one subject token.
  const subject = receiptSubject(service);
  if (!enforcementReceiptSchema.shape.instanceId.safeParse(instanceId).success) {
    throw new TypeError(`instanceId must be 1 to 128 printable ASCII characters without spaces, got ${JSON.stringify(instanceId)}`);
  }
  if (!Number.isInteger(intervalMs) || intervalMs < 1 || intervalMs > MAX_INTERVAL_MS) throw new TypeError(`intervalMs must be an integer from 1 to ${String(MAX_INTERVAL_MS)}`);
  if (typeof clock !== 'function') throw new TypeError('clock must be a function returning milliseconds');
  return { nc, feed, service, instanceId, intervalMs, clock, logger, subject };
}

/**
 * Reports where this instance's revocation feed stands on `veto.receipts.<service>` (core NATS,
 * see `EnforcementReceipt` in `@veto/events`), so the auth service can tell which instances
 * enforce a revocation and since when:
 * - right after each batch of applied events (the events one turn of the event loop applied,
 *   coalesced with `setImmediate`), at most `MAX_RECEIPT_APPLIED` per receipt, several receipts
 *   for more; replayed events too, with `live: false`;
 * - at start, once the feed is ready, and every `intervalMs` as a heartbeat with the feed's state,
 *   reason and last sequence;
 * - once more on `stop()`, with state `stopped`.
 *
 * A receipt that cannot be published (connection closed or draining) is logged and dropped, never
 * thrown into the feed; while the connection is reconnecting, the NATS client buffers it.
 *
 * @param options - see {@link EnforcementReporterOptions}
 * @throws TypeError for invalid options
 * @example
 * const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: 900, clock, logger });
 * const reporter = createEnforcementReporter({ nc, feed, service: 'tickets', instanceId: podName, clock, logger });
 * // on shutdown, before nc.drain():
 * await reporter.stop();
 */
export function createEnforcementReporter(options: EnforcementReporterOptions): EnforcementReporter {
  const { nc, feed, service, instanceId, intervalMs, clock, logger, subject } = checkOptions(options);
  const iso = (ms: number) => new Date(ms).toISOString();
  // Started after events were applied, the reporter knows only the sequence of those.
  let position: Position = { lastSeq: feed.stats.lastSeq, lastEventId: null, lastAppliedAt: null, lagMs: null };
  let pending: Array<{ entry: AppliedReceiptEntry; position: Position }> = [];
  let flushImmediate: NodeJS.Immediate | undefined;
  let stopped = false;
  const stats = { sent: 0, failed: 0 };

  const publish = (state: EnforcementReceipt['state'], at: Position, applied: AppliedReceiptEntry[]) => {
    const receipt: EnforcementReceipt = {
      v: RECEIPT_VERSION,
      service,
      instanceId,
      sentAt: iso(clock()),
      intervalMs,
      state,
      reason: state === 'stopped' ? null : (feed.reason ?? null),
      ...at,
      applied,
    };
    try {
      nc.publish(subject, encodeEnforcementReceipt(receipt));
      stats.sent += 1;
    } catch (err) {
      stats.failed += 1;
      logger?.warn({ err, subject, state, applied: applied.length }, 'enforcement receipt not published');
    }
  };

  /** Sends the pending entries, `MAX_RECEIPT_APPLIED` a receipt, each with the position after its last entry; a heartbeat when there are none and `always`. */
  const flush = (always: boolean) => {
    if (flushImmediate !== undefined) clearImmediate(flushImmediate);
    flushImmediate = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0 && always) publish(feed.state, position, []);
    for (let start = 0; start < batch.length; start += MAX_RECEIPT_APPLIED) {
      const chunk = batch.slice(start, start + MAX_RECEIPT_APPLIED);
      publish(
        feed.state,
        chunk.at(-1)?.position ?? position,
        chunk.map(({ entry }) => entry),
      );
    }
  };

  const onApplied = ({ event, seq, live }: AppliedRevocation) => {
    const appliedAt = clock();
    const lagMs = live ? appliedAt - Date.parse(event.occurredAt) : position.lagMs;
    position = { lastSeq: seq, lastEventId: event.id, lastAppliedAt: iso(appliedAt), lagMs };
    pending.push({ entry: { eventId: event.id, seq, type: event.type, occurredAt: event.occurredAt, appliedAt: iso(appliedAt), live }, position });
    // The feed applies what arrived together in one turn of the event loop: one receipt for all of it.
    flushImmediate ??= setImmediate(() => flush(false));
  };
  const stopListening = feed.onApplied(onApplied);

  const heartbeat = setInterval(() => flush(true), intervalMs);
  heartbeat.unref();
  // At once, so the fleet view sees a new instance while it catches up, and again when it is current.
  flushImmediate = setImmediate(() => flush(true));
  feed.ready.then(
    () => {
      if (!stopped) flush(true);
    },
    () => undefined,
  );

  return {
    get stats() {
      return { ...stats };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      stopListening();
      clearInterval(heartbeat);
      flush(false);
      publish('stopped', position, []);
    },
  };
}
