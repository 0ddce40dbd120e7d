import { type NatsConnection, nanos } from '@nats-io/nats-core';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  type JetStreamClient,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type JsMsg,
} from '@nats-io/jetstream';
import { publishDeadLetter, type DeadLetterReason } from './dead-letter';
import { delay } from './delay';
import { EventError } from './errors';
import type { EventType, VetoEvent } from './event-schemas';
import { silentLogger, type Logger } from './logger';
import { parseEvent } from './parse-event';
import { isUnanswered, iterateConsumer } from './iterate-consumer';
import { settle, type Settle } from './settle';
import { allEventsSubject, DEAD_LETTER_PREFIX, deadLetterSubject, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX, subjectFor } from './subjects';

/** Options of {@link subscribeWorkQueue}. */
export interface WorkQueueOptions {
  /** Names the durable consumer (`svc-tickets`) and the dead-letter subject; instances with the same name share the work. */
  service: string;
  /** The event stream, `AUTH` by default. */
  stream?: string;
  /** The stream's subject prefix, `auth` by default. */
  subjectPrefix?: string;
  /** Only events of this type; every type under the prefix by default. */
  filterType?: EventType;
  /** How many times a handler may see an event before it is dead-lettered; 5 by default. */
  maxDeliver?: number;
  /** Delay before redelivery after the n-th failed attempt (the last entry repeats); `[1000, 5000, 30000]` by default. */
  backoffMs?: number[];
  /** How long a handler may hold an event without acking before it is redelivered; 30 s by default. */
  ackWaitMs?: number;
  /** The dead-letter subject prefix (`<prefix>.<service>`), `veto.dlq` by default; must match `ensureStreams`. */
  deadLetterPrefix?: string;
  /** Messages fetched ahead per pull request; 10 by default. */
  batch?: number;
  /** Receives retry, dead-letter, consumer reset and failure lines. */
  logger?: Logger;
}

/** One event to handle: settle it with exactly one `ack()` or `retry()`. */
export interface WorkItem {
  event: VetoEvent;
  seq: number;
  /** 1 on the first delivery. */
  deliveryCount: number;
  /** Marks the event done for this service. */
  ack(): void;
  /** Redelivers the event after the backoff, or dead-letters it when this was the last allowed delivery. */
  retry(error: unknown): void;
}

/** Counters of a work-queue subscription. */
export interface WorkQueueStats {
  /** Valid events handed to the iterator, redeliveries included. */
  delivered: number;
  acked: number;
  retried: number;
  /** Messages that could not be read (also dead-lettered). */
  malformed: number;
  /** Messages stored in the dead-letter stream. */
  deadLettered: number;
  /** Dead-letter publishes that failed; the message is redelivered and tried again. */
  deadLetterFailures: number;
  /**
   * Times the durable consumer was found gone and recreated: NATS restarted with an empty store
   * (its stream recreated from seq 1), or the consumer was deleted.
   */
  resets: number;
}

/** Events of one service's durable consumer, each handled by one instance; see {@link subscribeWorkQueue}. */
export interface WorkQueueSubscription extends AsyncIterable<WorkItem> {
  /** A snapshot of the counters. */
  readonly stats: WorkQueueStats;
  /** Whether the durable consumer has been set up (it is not while JetStream has not answered yet): until then no event arrives. */
  readonly started: boolean;
  /** Ends the iteration and waits for dead letters in flight; the durable consumer stays, unsettled events return after `ackWaitMs`. */
  stop(): Promise<void>;
  /** Resolves when stopped (or the connection was closed), rejects with `SUBSCRIPTION_FAILED` on an unrecoverable error. */
  readonly closed: Promise<void>;
}

// Deliveries beyond maxDeliver are only used to retry a dead-letter publish that failed, never shown to a handler.
/** How many times a handler may see an event before it is dead-lettered, unless `maxDeliver` says otherwise. */
export const DEFAULT_MAX_DELIVER = 5;
const DEAD_LETTER_ATTEMPTS = 3;
/** Waits between attempts to recreate a consumer that is gone (its stream may not exist again yet), or to set it up when JetStream did not answer. */
const RECREATE_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];
const NAME = /^[A-Za-z0-9_-]+$/;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`subscribeWorkQueue: ${name} must be a positive integer, got ${value}`);
  return value;
}

class WorkQueue implements WorkQueueSubscription {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #service: string;
  readonly #stream: string;
  readonly #filter: string;
  readonly #deadLetterSubject: string;
  readonly #maxDeliver: number;
  readonly #backoffMs: number[];
  readonly #ackWaitMs: number;
  readonly #batch: number;
  readonly #logger: Logger;
  readonly #closed: Settle<void> = settle();
  readonly #stopping = new AbortController();
  /** The current consumer's messages (`undefined`: stopped before the first was set up); replaced when a consumer found gone is recreated. */
  #messages: Promise<ConsumerMessages | undefined>;
  /** Set from the moment the consumer is found gone until its replacement consumes. */
  #gone = false;
  #replacement: Promise<ConsumerMessages | undefined> | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stats: WorkQueueStats = { delivered: 0, acked: 0, retried: 0, malformed: 0, deadLettered: 0, deadLetterFailures: 0, resets: 0 };
  #iterated = false;
  #stopped = false;
  #started = false;

  constructor(nc: NatsConnection, options: WorkQueueOptions) {
    for (const [name, value] of [
      ['service', options.service],
      ['stream', options.stream ?? DEFAULT_STREAM],
    ] as const) {
      if (typeof value !== 'string' || !NAME.test(value)) throw new TypeError(`subscribeWorkQueue: ${name} must match ${NAME}, got ${JSON.stringify(value)}`);
    }
    this.#service = options.service;
    this.#stream = options.stream ?? DEFAULT_STREAM;
    const prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.#filter = options.filterType === undefined ? allEventsSubject(prefix) : subjectFor(options.filterType, prefix);
    this.#deadLetterSubject = deadLetterSubject(this.#service, options.deadLetterPrefix ?? DEAD_LETTER_PREFIX);
    this.#maxDeliver = positiveInteger('maxDeliver', options.maxDeliver ?? DEFAULT_MAX_DELIVER);
    this.#backoffMs = options.backoffMs ?? [1000, 5000, 30_000];
    if (!Array.isArray(this.#backoffMs) || this.#backoffMs.length === 0 || !this.#backoffMs.every((ms) => Number.isInteger(ms) && ms >= 0)) {
      throw new TypeError(`subscribeWorkQueue: backoffMs must be a non-empty array of non-negative integers, got ${JSON.stringify(options.backoffMs)}`);
    }
    this.#ackWaitMs = positiveInteger('ackWaitMs', options.ackWaitMs ?? 30_000);
    this.#batch = positiveInteger('batch', options.batch ?? 10);
    this.#logger = options.logger ?? silentLogger;
    this.#nc = nc;
    this.#js = jetstream(nc);
    this.#messages = this.#start();
    this.#messages.catch((cause: unknown) => this.#fail(cause));
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  get stats(): WorkQueueStats {
    return { ...this.#stats };
  }

  get started(): boolean {
    return this.#started;
  }

  /**
   * Sets the consumer up. A request JetStream did not answer (the server was killed while it was in
   * flight, or is back without JetStream yet) is asked again while the connection is open: failing
   * here would end a service that started a moment before a NATS restart. An answer (no such
   * stream, another filter) stays a failure.
   */
  async #start(): Promise<ConsumerMessages | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        const messages = await this.#consume();
        this.#started = true;
        this.#logger.info(
          { stream: this.#stream, consumer: this.#service, filter: this.#filter, maxDeliver: this.#maxDeliver, attempts: attempt },
          'work-queue subscription started',
        );
        return messages;
      } catch (error) {
        if (!isUnanswered(error) || this.#nc.isClosed()) throw error;
        if (this.#stopped) return undefined;
        this.#logger.warn(
          { stream: this.#stream, consumer: this.#service, attempt, err: error },
          'work-queue subscription could not start yet (JetStream did not answer); retrying',
        );
        await delay(RECREATE_BACKOFF_MS[Math.min(attempt, RECREATE_BACKOFF_MS.length) - 1] ?? 0, this.#stopping.signal);
        if (this.#stopped) return undefined;
      }
    }
  }

  async #consume(): Promise<ConsumerMessages> {
    await this.#ensureConsumer();
    const consumer = await this.#js.consumers.get(this.#stream, this.#service);
    const messages = await consumer.consume({ max_messages: this.#batch });
    this.#watchStatus(messages).catch((error: unknown) => this.#logger.error({ stream: this.#stream, consumer: this.#service, err: error }, 'work-queue status watcher failed'));
    return messages;
  }

  /**
   * The client only reports a durable consumer that is gone (after a reconnect or missed
   * heartbeats, its lookup answers "consumer not found" or "stream not found") and keeps asking,
   * silently, forever: after NATS lost its store, nothing would arrive again. Closing the
   * messages ends them; the iteration then asks {@link WorkQueue.#recreate} for a new consumer.
   */
  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if ((status.type !== 'consumer_not_found' && status.type !== 'stream_not_found') || this.#gone || this.#stopped) continue;
      this.#gone = true;
      this.#stats.resets++;
      this.#logger.warn(
        { stream: this.#stream, consumer: this.#service, status: status.type },
        'work-queue consumer gone (the stream was reset or the consumer deleted); recreating it',
      );
      const result = await messages.close();
      if (result instanceof Error) this.#logger.warn({ stream: this.#stream, consumer: this.#service, err: result }, 'the gone work-queue consumer did not close cleanly');
      break;
    }
  }

  /** The next consumer's messages after the current ones ended: a recreated consumer, or none. */
  #replace(): Promise<ConsumerMessages | undefined> {
    if (!this.#gone || this.#stopped) return Promise.resolve(undefined);
    this.#replacement = this.#recreate();
    return this.#replacement;
  }

  async #recreate(): Promise<ConsumerMessages | undefined> {
    for (let attempt = 1; !this.#stopped && !this.#nc.isClosed(); attempt++) {
      try {
        // A new durable consumer starts at the oldest event stored: seq 1 of a recreated stream.
        const messages = await this.#consume();
        if (this.#stopped) {
          // stop() came while this consumer was being created, and the iteration ends without reading
          // it: close it without waiting, since close() resolves only once its messages are read.
          messages
            .close()
            .then((result) => {
              if (result instanceof Error) this.#logger.warn({ stream: this.#stream, consumer: this.#service, err: result }, 'work-queue consumer did not close cleanly');
            })
            .catch((error: unknown) => this.#logger.warn({ stream: this.#stream, consumer: this.#service, err: error }, 'closing the work-queue consumer failed'));
          return undefined;
        }
        this.#messages = Promise.resolve(messages);
        this.#gone = false;
        this.#logger.info({ stream: this.#stream, consumer: this.#service, attempts: attempt }, 'work-queue consumer recreated');
        return messages;
      } catch (error) {
        this.#logger.warn(
          { stream: this.#stream, consumer: this.#service, attempt, err: error },
          'work-queue consumer could not be recreated yet (is the stream there?); retrying',
        );
        await delay(RECREATE_BACKOFF_MS[Math.min(attempt, RECREATE_BACKOFF_MS.length) - 1] ?? 0, this.#stopping.signal);
      }
    }
    return undefined;
  }

  async #ensureConsumer(): Promise<void> {
    const jsm = await jetstreamManager(this.#nc);
    const settings: Partial<ConsumerConfig> = { ack_wait: nanos(this.#ackWaitMs), max_deliver: this.#maxDeliver + DEAD_LETTER_ATTEMPTS };
    let existing;
    try {
      existing = await jsm.consumers.info(this.#stream, this.#service);
    } catch (error) {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
      // Instances starting together may both get here; the server accepts an identical create twice.
      await jsm.consumers.add(this.#stream, {
        durable_name: this.#service,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: this.#filter,
        ...settings,
      });
      return;
    }
    if (existing.config.filter_subject !== this.#filter) {
      throw new EventError(
        'SUBSCRIPTION_FAILED',
        `consumer ${this.#service} on ${this.#stream} filters ${existing.config.filter_subject ?? '(nothing)'}, not ${this.#filter}; use another service name or delete the consumer`,
      );
    }
    await jsm.consumers.update(this.#stream, this.#service, settings);
  }

  #fail(cause: unknown): EventError {
    const error =
      cause instanceof EventError
        ? cause
        : new EventError('SUBSCRIPTION_FAILED', `work-queue subscription ${this.#service} on ${this.#stream} failed: ${String(cause)}`, { cause });
    this.#logger.error({ stream: this.#stream, consumer: this.#service, err: error }, 'work-queue subscription failed');
    this.#closed.reject(error);
    return error;
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  #backoffFor(deliveryCount: number): number {
    return this.#backoffMs[Math.min(deliveryCount, this.#backoffMs.length) - 1] ?? 0;
  }

  #deadLetter(msg: JsMsg, reason: DeadLetterReason, error: unknown): void {
    const { deliveryCount } = msg.info;
    const letter = { reason, error, service: this.#service, stream: this.#stream, subject: msg.subject, seq: msg.seq, deliveryCount, data: msg.data };
    this.#track(
      publishDeadLetter(this.#js, this.#deadLetterSubject, letter, this.#ackWaitMs).then(
        (deadLetterSeq) => {
          // No reason text: nats-server 2.9 only recognises a bare +TERM; the reason is in the dead letter's headers.
          msg.term();
          this.#stats.deadLettered++;
          this.#logger.warn(
            { stream: this.#stream, consumer: this.#service, seq: msg.seq, deliveryCount, reason, deadLetterSubject: this.#deadLetterSubject, deadLetterSeq, err: error },
            'event dead-lettered',
          );
        },
        (failure: unknown) => {
          this.#stats.deadLetterFailures++;
          this.#logger.error(
            { stream: this.#stream, consumer: this.#service, seq: msg.seq, deliveryCount, code: 'DEAD_LETTER_FAILED', err: failure },
            'dead-lettering failed, the event will be redelivered',
          );
          msg.nak(this.#backoffFor(deliveryCount));
        },
      ),
    );
  }

  #item(msg: JsMsg, event: VetoEvent): WorkItem {
    const { deliveryCount } = msg.info;
    let settled = false;
    const settleOnce = (): void => {
      if (settled) throw new TypeError(`work item seq ${msg.seq} was already acked or retried`);
      settled = true;
    };
    return {
      event,
      seq: msg.seq,
      deliveryCount,
      ack: () => {
        settleOnce();
        msg.ack();
        this.#stats.acked++;
      },
      retry: (error: unknown) => {
        settleOnce();
        if (deliveryCount >= this.#maxDeliver) {
          this.#deadLetter(msg, 'max-deliveries', error);
          return;
        }
        const delayMs = this.#backoffFor(deliveryCount);
        this.#stats.retried++;
        this.#logger.warn({ stream: this.#stream, consumer: this.#service, seq: msg.seq, deliveryCount, delayMs, err: error }, 'event handling failed, retrying later');
        msg.nak(delayMs);
      },
    };
  }

  #read(msg: JsMsg): WorkItem | undefined {
    if (msg.info.deliveryCount > this.#maxDeliver) {
      // Its handler never settled it (crash, ack timeout) on the last allowed delivery, or dead-lettering failed before.
      this.#deadLetter(msg, 'max-deliveries', new Error(`not acknowledged after ${this.#maxDeliver} deliveries`));
      return undefined;
    }
    try {
      const event = parseEvent(msg.data);
      this.#stats.delivered++;
      return this.#item(msg, event);
    } catch (error) {
      if (!(error instanceof EventError)) throw error;
      this.#stats.malformed++;
      this.#logger.warn({ stream: this.#stream, consumer: this.#service, seq: msg.seq, subject: msg.subject, code: error.code, err: error }, 'malformed event');
      this.#deadLetter(msg, 'malformed', error);
      return undefined;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<WorkItem> {
    if (this.#iterated) throw new TypeError('a work-queue subscription can be iterated only once');
    this.#iterated = true;
    return iterateConsumer({
      nc: this.#nc,
      messages: this.#messages,
      read: (msg) => this.#read(msg),
      next: () => this.#replace(),
      fail: (cause) => this.#fail(cause),
      stop: () => this.stop(),
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return this.#closed.promise;
    this.#stopped = true;
    this.#stopping.abort();
    try {
      // A replacement being created is closed by #recreate itself; the current messages, read to their end by the iteration, close here.
      await this.#replacement;
      const messages = await this.#messages;
      const result = await messages?.close();
      if (result instanceof Error) this.#logger.warn({ stream: this.#stream, consumer: this.#service, err: result }, 'work-queue consumer did not close cleanly');
    } catch (cause) {
      if (!this.#closed.settled) throw this.#fail(cause);
    }
    await Promise.all(this.#inFlight);
    this.#closed.resolve();
  }
}

/**
 * Subscribes to the durable work queue of a service: every event is handled by one of the
 * service's instances, with explicit acknowledgement, redelivery with backoff, and a dead-letter
 * subject (`veto.dlq.<service>`) for events that cannot be read or keep failing. Settle each
 * item with `ack()` or `retry(error)`; an unsettled item is redelivered after `ackWaitMs`.
 * A new service starts at the oldest event still stored, so handlers must be idempotent. When the
 * durable consumer is found gone (NATS restarted with an empty store, the stream recreated from
 * seq 1; or the consumer deleted), it is recreated, logged at warn and counted in `stats.resets`,
 * and the new events are handled from the oldest stored on. A set-up request JetStream does not
 * answer (NATS restarting) is asked again, with backoff, while the connection is open.
 *
 * @param nc - a connection; the streams must exist (`ensureStreams`)
 * @param options - `service` (required), stream, prefix, filter type, redelivery settings, logger
 * @returns the subscription, an async iterable of {@link WorkItem}
 * @throws TypeError for invalid options. The iterator and `closed` reject with EventError
 *   `SUBSCRIPTION_FAILED` when the stream is missing or the consumer exists with another filter.
 * @example
 * const queue = subscribeWorkQueue(nc, { service: 'svc-tickets', filterType: 'user.banned', logger });
 * for await (const item of queue) {
 *   try { await unlistTicketsOf(item.event.data.userId); item.ack(); } catch (error) { item.retry(error); }
 * }
 */
export function subscribeWorkQueue(nc: NatsConnection, options: WorkQueueOptions): WorkQueueSubscription {
  return new WorkQueue(nc, options);
}
