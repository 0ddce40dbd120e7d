import { allReceiptsSubject, parseEnforcementReceipt } from '@veto/events';
import type { Logger } from 'pino';
import type { EventBus } from '../../data-access/event-bus';
import type { EnforcementMetrics } from '../../domain/enforcement-metrics';
import type { FleetView } from '../../domain/fleet-view';

/** The running subscription to `veto.receipts.*`. */
export interface ReceiptsSubscriber {
  /** Resolves when the subscription ended (stopped, bus closed, or refused by the server). */
  readonly done: Promise<void>;
  /** Stops receiving; resolves once the loop ended. */
  stop(): Promise<void>;
}

/**
 * Feeds the fleet view from every service's enforcement receipts (core NATS, no queue group:
 * each auth replica keeps the whole view). Starts whenever the bus connects, survives reconnects.
 * A malformed receipt is counted and logged at debug level, never fatal; a refusal by the server
 * (the `auth` user may not subscribe) is logged as an error: bans still work, the fleet view stays empty.
 *
 * @param deps - the bus, the fleet view, the metrics and the logger
 * @returns the running subscriber
 * @example
 * const receipts = subscribeReceipts({ bus, fleet, metrics, logger });
 * await receipts.stop();
 */
export function subscribeReceipts(deps: {
  bus: Pick<EventBus, 'subscribe'>;
  fleet: FleetView;
  metrics: EnforcementMetrics;
  logger: Pick<Logger, 'debug' | 'warn' | 'error'>;
  subject?: string;
}): ReceiptsSubscriber {
  const subject = deps.subject ?? allReceiptsSubject();
  const subscription = deps.bus.subscribe(subject);
  let warnedFull = false;
  const done = (async () => {
    for await (const data of subscription) {
      let receipt;
      try {
        receipt = parseEnforcementReceipt(data);
      } catch (error) {
        deps.metrics.receipt('malformed');
        deps.logger.debug({ err: error, subject }, 'malformed enforcement receipt ignored');
        continue;
      }
      const outcome = deps.fleet.record(receipt);
      deps.metrics.receipt(outcome.accepted ? 'accepted' : 'refused');
      if (!outcome.accepted && !warnedFull) {
        warnedFull = true;
        deps.logger.warn({ service: receipt.service, instanceId: receipt.instanceId }, 'fleet view full: receipts of new instances are refused until others expire');
      }
    }
    const refusal = await subscription.closed;
    if (refusal !== undefined) {
      deps.logger.error({ err: refusal, subject }, 'the receipt subscription was refused; the fleet view stays empty');
    }
  })();
  return {
    done,
    async stop() {
      subscription.stop();
      await done;
    },
  };
}
