import { Counter, Gauge, type Registry } from 'prom-client';

/** The Prometheus metrics of SET delivery: the AUTH consumer, push and poll. */
export interface DeliveryMetrics {
  /** `veto_signals_sets_written_total{event_type}`: SETs stored in the outbox (a redelivered event's SET, already there, is not counted). */
  readonly setsWritten: Counter<'event_type'>;
  /** `veto_signals_sets_skipped_total{reason}`: a stream that could not get an event's SET (`email_unknown`). */
  readonly setsSkipped: Counter<'reason'>;
  /** `veto_signals_sets_dropped_paused_total`: pending SETs set aside because a paused stream held `SIGNALS_PAUSED_MAX_EVENTS`. */
  readonly setsDroppedPaused: Counter;
  /** `veto_signals_sets_pushed_total`: SETs a receiver accepted (202). */
  readonly setsPushed: Counter;
  /** `veto_signals_push_failures_total{reason}`: failed push attempts (`http_<status>`, `refused_<err>`, `timeout`, `network`). */
  readonly pushFailures: Counter<'reason'>;
  /** `veto_signals_sets_dead_total`: SETs given up (push attempts exhausted, or a permanent refusal). */
  readonly setsDead: Counter;
  /** `veto_signals_poll_acknowledged_total{outcome}`: polled SETs acknowledged (`ack`) or reported in `setErrs` (`set_err`). */
  readonly pollAcknowledged: Counter<'outcome'>;
}

/**
 * Creates the delivery metrics in a registry, with a `veto_signals_sets_pending` gauge read from the
 * database at each scrape (the outbox is the truth; a counter kept in memory would drift across
 * restarts).
 *
 * @param registry - the service's registry (`/metrics`)
 * @param pendingCount - counts the SETs in state `pending`, e.g. `() => countAllPending(db)`
 * @throws Error from prom-client when the registry already holds these metrics
 * @example
 * const metrics = createDeliveryMetrics(metricsRegistry, () => countAllPending(database.db));
 */
export function createDeliveryMetrics(registry: Registry, pendingCount: () => Promise<number>): DeliveryMetrics {
  const registers = [registry];
  new Gauge({
    name: 'veto_signals_sets_pending',
    help: 'SETs waiting for delivery (push) or acknowledgement (poll)',
    registers,
    async collect() {
      this.set(await pendingCount());
    },
  });
  return {
    setsWritten: new Counter({ name: 'veto_signals_sets_written_total', help: 'SETs stored for delivery', labelNames: ['event_type'], registers }),
    setsSkipped: new Counter({
      name: 'veto_signals_sets_skipped_total',
      help: 'SETs a stream could not get (e.g. no email address for an email stream)',
      labelNames: ['reason'],
      registers,
    }),
    setsDroppedPaused: new Counter({ name: 'veto_signals_sets_dropped_paused_total', help: 'Pending SETs set aside because a paused stream was full', registers }),
    setsPushed: new Counter({ name: 'veto_signals_sets_pushed_total', help: 'SETs accepted by push receivers (202)', registers }),
    pushFailures: new Counter({ name: 'veto_signals_push_failures_total', help: 'Failed push attempts', labelNames: ['reason'], registers }),
    setsDead: new Counter({ name: 'veto_signals_sets_dead_total', help: 'SETs given up after failed push attempts or a permanent refusal', registers }),
    pollAcknowledged: new Counter({
      name: 'veto_signals_poll_acknowledged_total',
      help: 'Polled SETs acknowledged or reported as errors by receivers',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
