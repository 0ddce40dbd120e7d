import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../data-access/database';
import { countPendingOutbox } from '../data-access/outbox-repository';

/** What the outbox relay reports to Prometheus. */
export interface OutboxMetrics {
  /** One event acknowledged by JetStream, `delaySeconds` after its transaction wrote it. */
  published(delaySeconds: number): void;
  /** One failed publish attempt. */
  failed(): void;
  /** The stream was found to have lost published events (recreated or purged). */
  streamReset(): void;
  /** One event published again after a stream loss. */
  republished(): void;
  /** `count` published rows deleted past the retention. */
  purged(count: number): void;
}

/**
 * Registers the outbox metrics: `veto_outbox_pending` (rows not yet published, counted at
 * scrape time), `veto_outbox_published_total`, `veto_outbox_publish_failures_total` and
 * `veto_outbox_publish_delay_seconds` (from the row's write in the transaction to the
 * JetStream acknowledgement), `veto_outbox_stream_resets_total` (times the stream had lost
 * published events), `veto_outbox_republished_total` (events published again then) and
 * `veto_outbox_purged_total` (published rows deleted past the retention).
 *
 * @param registry - the service's registry
 * @param db - for the pending count
 * @returns the recorder the relay reports to
 * @example
 * const relay = startOutboxRelay({ ..., metrics: registerOutboxMetrics(registry, database.db) });
 */
export function registerOutboxMetrics(registry: Registry, db: Database): OutboxMetrics {
  new Gauge({
    name: 'veto_outbox_pending',
    help: 'Outbox events not yet published to JetStream',
    registers: [registry],
    async collect() {
      this.set(await countPendingOutbox(db));
    },
  });
  const published = new Counter({ name: 'veto_outbox_published_total', help: 'Outbox events acknowledged by JetStream', registers: [registry] });
  const failures = new Counter({ name: 'veto_outbox_publish_failures_total', help: 'Failed attempts to publish an outbox event', registers: [registry] });
  const delay = new Histogram({
    name: 'veto_outbox_publish_delay_seconds',
    help: 'Time from writing an outbox event (in the committing transaction) to its JetStream acknowledgement',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const streamResets = new Counter({
    name: 'veto_outbox_stream_resets_total',
    help: 'Times the AUTH stream no longer held published events (recreated or purged) and the retention window was published again',
    registers: [registry],
  });
  const republished = new Counter({ name: 'veto_outbox_republished_total', help: 'Outbox events published again after a stream loss', registers: [registry] });
  const purged = new Counter({ name: 'veto_outbox_purged_total', help: 'Published outbox rows deleted past the retention', registers: [registry] });
  return {
    published(delaySeconds) {
      published.inc();
      delay.observe(delaySeconds);
    },
    failed() {
      failures.inc();
    },
    streamReset() {
      streamResets.inc();
    },
    republished() {
      republished.inc();
    },
    purged(count) {
      purged.inc(count);
    },
  };
}
