import { type NatsConnection, nanos } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { EventError } from './errors';
import type { VetoEvent } from './event-schemas';
import { silentLogger, type Logger } from './logger';
import { parseEvent } from './parse-event';
import { allEventsSubject, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from './subjects';
import { iterateConsumer } from './iterate-consumer';
import { settle, type Settle } from './settle';
import { ConsumerLiveness } from './consumer-liveness';

/** Options of {@link subscribeFanOut}. */
export interface FanOutOptions {
  /** The event stream, `AUTH` by default. */
  stream?: string;
  /** The stream's subject prefix, `auth` by default; every event under it is delivered. */
  subjectPrefix?: string;
  /** Replay starts at the first event stored at or after this time (for a revocation cache: now - (token TTL + skew)). */
  startTime: Date;
  /** Receives start, catch-up, consumer loss and recreation, and skipped-event lines. */
  logger?: Logger;
  /**
   * How often the server sends an idle heartbeat while a pull waits, in ms: 5 000 by default,
   * between 500 and 15 000. A lost consumer is noticed after `recreateAfterMissedHeartbeats` of them.
   */
  idleHeartbeatMs?: number;
  /**
   * Heartbeat intervals of silence after which the consumer counts as lost and is replaced by a
   * new one starting after the last delivered sequence: 2 by default, an integer of at least 2
   * (one late heartbeat alone must not replace a healthy consumer).
   */
  recreateAfterMissedHeartbeats?: number;
}

/** One event as delivered by a fan-out subscription. */
export interface DeliveredEvent {
  event: VetoEvent;
  /** The stream sequence, increasing with every delivery. */
  seq: number;
}

/** Counters of a fan-out subscription. */
export interface FanOutStats {
  /** Valid events handed to the iterator. */
  delivered: number;
  /** Messages skipped because they failed validation (bad JSON, unknown type or version, invalid data). */
  malformed: number;
  /** The stream sequence of the last message seen, valid or not; 0 before the first. */
  lastSeq: number;
}

/** Every event under a prefix, in stream order, to this one process; see {@link subscribeFanOut}. */
export interface FanOutSubscription extends AsyncIterable<DeliveredEvent> {
  /**
   * Resolves once every event stored when the subscription started has been delivered and the
   * loop body has finished with the last of them (at once when there was none to replay).
   * Rejects with `SUBSCRIPTION_FAILED` when the subscription fails or stops first.
   */
  readonly caughtUp: Promise<void>;
  readonly isCaughtUp: boolean;
  /**
   * False while the consumer counts as lost (its heartbeats stopped, for example because the
   * cluster server holding it is down) until its replacement exists; true otherwise.
   */
  readonly following: boolean;
  /** A snapshot of the counters. */
  readonly stats: FanOutStats;
  /** Ends the iteration and deletes the server-side consumer. */
  stop(): Promise<void>;
  /** Resolves when stopped (or the connection was closed), rejects with `SUBSCRIPTION_FAILED` on an unrecoverable error. */
  readonly closed: Promise<void>;
}

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;
const DEFAULT_IDLE_HEARTBEAT_MS = 5_000;
const DEFAULT_RECREATE_AFTER_MISSED_HEARTBEATS = 2;
/** Waits between attempts to recreate a lost consumer: a cluster that just lost a server may need seconds to elect new leaders. */
const RECREATE_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000];

function checkHeartbeatOptions(options: FanOutOptions): { idleHeartbeatMs: number; recreateAfterMissedHeartbeats: number } {
  const { idleHeartbeatMs = DEFAULT_IDLE_HEARTBEAT_MS, recreateAfterMissedHeartbeats = DEFAULT_RECREATE_AFTER_MISSED_HEARTBEATS } = options;
  // The client clamps the heartbeat to 500..30 000 ms and the server wants it below the pull's 30 s expiry.
  if (!Number.isInteger(idleHeartbeatMs) || idleHeartbeatMs < 500 || idleHeartbeatMs > 15_000) {
    throw new TypeError(`subscribeFanOut: idleHeartbeatMs must be an integer between 500 and 15000, got ${String(idleHeartbeatMs)}`);
  }
  if (!Number.isInteger(recreateAfterMissedHeartbeats) || recreateAfterMissedHeartbeats < 2) {
    throw new TypeError(`subscribeFanOut: recreateAfterMissedHeartbeats must be an integer of at least 2, got ${String(recreateAfterMissedHeartbeats)}`);
  }
  return { idleHeartbeatMs, recreateAfterMissedHeartbeats };
}

class FanOut implements FanOutSubscription {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #filter: string;
  readonly #startTime: Date;
  readonly #logger: Logger;
  readonly #caughtUp: Settle<void> = settle();
  readonly #closed: Settle<void> = settle();
  readonly #stopping: Settle<void> = settle();
  readonly #idleHeartbeatMs: number;
  readonly #recreateAfterMissedHeartbeats: number;
  /** The current consumer's messages; replaced when a lost consumer is recreated. */
  #messages: Promise<ConsumerMessages>;
  #consumer: Consumer | undefined;
  #current: ConsumerMessages | undefined;
  /** The first stream sequence the next consumer must deliver: the start, then the last seen + 1. */
  #nextSeq = 0;
  /** Set while the consumer counts as lost: when that was noticed. */
  #lostAt: number | undefined;
  #replacement: Promise<ConsumerMessages | undefined> | undefined;
  readonly #liveness: ConsumerLiveness;
  readonly #livenessTimer: NodeJS.Timeout;
  readonly #connectionStatus: ReturnType<NatsConnection['status']>;
  #isCaughtUp = false;
  #catchUpSeq = 0;
  #iterated = false;
  #stopped = false;
  readonly #stats: FanOutStats = { delivered: 0, malformed: 0, lastSeq: 0 };

  constructor(nc: NatsConnection, options: FanOutOptions) {
    const { startTime } = options;
    if (!(startTime instanceof Date) || Number.isNaN(startTime.getTime())) throw new TypeError('subscribeFanOut: startTime must be a valid Date');
    this.#stream = options.stream ?? DEFAULT_STREAM;
    if (!STREAM_NAME.test(this.#stream)) throw new TypeError(`subscribeFanOut: stream must match ${STREAM_NAME}, got ${JSON.stringify(this.#stream)}`);
    this.#filter = allEventsSubject(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
    ({ idleHeartbeatMs: this.#idleHeartbeatMs, recreateAfterMissedHeartbeats: this.#recreateAfterMissedHeartbeats } = checkHeartbeatOptions(options));
    this.#nc = nc;
    this.#startTime = startTime;
    this.#logger = options.logger ?? silentLogger;
    this.#liveness = new ConsumerLiveness({ idleHeartbeatMs: this.#idleHeartbeatMs, missedHeartbeats: this.#recreateAfterMissedHeartbeats });
    this.#livenessTimer = setInterval(() => this.#checkLiveness(), this.#idleHeartbeatMs);
    this.#livenessTimer.unref();
    this.#connectionStatus = nc.status();
    this.#watchConnection().catch((error: unknown) => this.#logger.error({ stream: this.#stream, err: error }, 'fan-out connection watcher failed'));
    this.#messages = this.#start();
    this.#messages.catch((cause: unknown) => this.#fail(cause));
  }

  get caughtUp(): Promise<void> {
    return this.#caughtUp.promise;
  }

  get isCaughtUp(): boolean {
    return this.#isCaughtUp;
  }

  get following(): boolean {
    return this.#lostAt === undefined;
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  get stats(): FanOutStats {
    return { ...this.#stats };
  }

  async #start(): Promise<ConsumerMessages> {
    const jsm = await jetstreamManager(this.#nc);
    // Everything up to the stream's last sequence now is the backlog to replay before "caught up".
    const { state } = await jsm.streams.info(this.#stream);
    this.#catchUpSeq = state.last_seq;
    const { startSeq, pending } = await this.#resolveStart(jsm);
    this.#nextSeq = startSeq;
    const messages = await this.#follow();
    this.#logger.info(
      { stream: this.#stream, filter: this.#filter, startTime: this.#startTime.toISOString(), startSeq, pending, catchUpSeq: this.#catchUpSeq },
      'fan-out subscription started',
    );
    if (pending === 0) this.#markCaughtUp();
    return messages;
  }

  /** Creates an ordered consumer delivering from `#nextSeq` on and starts consuming it. */
  async #follow(): Promise<ConsumerMessages> {
    // The ordered consumer starts at a sequence, not at `opt_start_time`: the client recreates it
    // after a reconnect from its config, and a config holding both a start time and a start
    // sequence is refused by the server, which would stall the subscription for good.
    const consumer = await jetstream(this.#nc).consumers.get(this.#stream, { filter_subjects: this.#filter, opt_start_seq: this.#nextSeq });
    this.#consumer = consumer;
    // A replay pulls the whole retained window: 1,000 messages per pull request (the client's
    // default is 100) cut the pull round trips tenfold, which bench/ measured as faster rebuilds.
    const messages = await consumer.consume({ max_messages: 1000, idle_heartbeat: this.#idleHeartbeatMs });
    this.#current = messages;
    this.#liveness.sign();
    this.#watchStatus(messages).catch((error: unknown) => this.#logger.error({ stream: this.#stream, err: error }, 'fan-out status watcher failed'));
    return messages;
  }

  /** Finds the first sequence at or after `startTime` with a short-lived probe consumer, which the server positions by time. */
  async #resolveStart(jsm: JetStreamManager): Promise<{ startSeq: number; pending: number }> {
    const probe = await jsm.consumers.add(this.#stream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: this.#startTime.toISOString(),
      filter_subject: this.#filter,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: nanos(60_000),
    });
    await jsm.consumers.delete(this.#stream, probe.name);
    return { startSeq: probe.delivered.stream_seq + 1, pending: probe.num_pending };
  }

  async #watchStatus(messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (status.type === 'ordered_consumer_recreated') {
        this.#logger.info({ stream: this.#stream, consumer: status.name, lastSeq: this.#stats.lastSeq }, 'fan-out consumer recreated, resuming after the last delivered sequence');
      } else if (status.type === 'heartbeat' && messages === this.#current) {
        this.#liveness.sign();
      } else if (status.type === 'heartbeats_missed') {
        this.#logger.warn({ stream: this.#stream, count: status.count }, 'fan-out heartbeats missed');
      }
    }
  }

  async #watchConnection(): Promise<void> {
    for await (const status of this.#connectionStatus) {
      if (status.type === 'disconnect') this.#liveness.disconnected();
      else if (status.type === 'reconnect') this.#liveness.reconnected();
    }
    // The connection closed: there is nothing left to watch.
    clearInterval(this.#livenessTimer);
  }

  /**
   * Gives up a consumer that went silent. The client recreates an ordered consumer only after a
   * delivery gap, a "consumer deleted" status, or a reconnect whose consumer lookup answers "not
   * found"; when the server holding it is down, the lookup times out instead and the client keeps
   * asking, without heartbeats, forever — whether this connection stayed on another server or
   * moved there. Closing the messages lets the iteration drain what already arrived and then ask
   * {@link FanOut.#replace} for a new consumer.
   */
  #checkLiveness(): void {
    const silentMs = this.#liveness.silentFor();
    if (silentMs === undefined || this.#stopped || this.#lostAt !== undefined || this.#current === undefined) return;
    this.#abandon(this.#current, silentMs).catch((error: unknown) => this.#logger.error({ stream: this.#stream, err: error }, 'closing the lost fan-out consumer failed'));
  }

  async #abandon(messages: ConsumerMessages, silentMs: number): Promise<void> {
    this.#lostAt = Date.now();
    this.#logger.warn(
      { stream: this.#stream, silentMs, lastSeq: this.#stats.lastSeq },
      'fan-out consumer lost (its heartbeats stopped); recreating it after the last delivered sequence',
    );
    const result = await messages.close();
    if (result instanceof Error) this.#logger.warn({ stream: this.#stream, err: result }, 'lost fan-out consumer did not close cleanly');
  }

  /** The next consumer's messages after the current ones ended: a replacement of a lost consumer, or none. */
  #replace(): Promise<ConsumerMessages | undefined> {
    if (this.#lostAt === undefined || this.#stopped) return Promise.resolve(undefined);
    this.#replacement = this.#recreate(this.#lostAt);
    return this.#replacement;
  }

  async #recreate(lostAt: number): Promise<ConsumerMessages | undefined> {
    // Its server drops the lost consumer after 5 minutes of inactivity if it comes back; deleting it now is a courtesy.
    this.#consumer
      ?.delete()
      .catch((error: unknown) => this.#logger.info({ stream: this.#stream, err: error }, 'lost fan-out consumer could not be deleted; its server drops it when inactive'));
    for (let attempt = 1; !this.#stopped && !this.#nc.isClosed(); attempt++) {
      try {
        const messages = await this.#follow();
        // Set even when stopped meanwhile: stop() closes and deletes whatever is current.
        this.#messages = Promise.resolve(messages);
        if (this.#stopped) return undefined;
        this.#lostAt = undefined;
        this.#logger.info(
          { stream: this.#stream, startSeq: this.#nextSeq, lostForMs: Date.now() - lostAt, attempts: attempt },
          'fan-out consumer recreated after it was lost; resuming after the last delivered sequence',
        );
        return messages;
      } catch (error) {
        this.#logger.warn({ stream: this.#stream, attempt, err: error }, 'fan-out consumer could not be recreated yet; retrying');
        const wait = RECREATE_BACKOFF_MS[Math.min(attempt, RECREATE_BACKOFF_MS.length) - 1];
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          void this.#stopping.promise.then(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }
    return undefined;
  }

  #markCaughtUp(): void {
    if (this.#isCaughtUp) return;
    this.#isCaughtUp = true;
    this.#logger.info({ stream: this.#stream, lastSeq: this.#stats.lastSeq, delivered: this.#stats.delivered, malformed: this.#stats.malformed }, 'fan-out caught up');
    this.#caughtUp.resolve();
  }

  #checkCaughtUp(msg: JsMsg): void {
    // `pending` alone may never reach 0 while events keep arriving; the sequence bound ends
    // the catch-up at the backlog that existed when the subscription started.
    if (msg.seq >= this.#catchUpSeq || msg.info.pending === 0) this.#markCaughtUp();
  }

  #fail(cause: unknown): EventError {
    const error = cause instanceof EventError ? cause : new EventError('SUBSCRIPTION_FAILED', `fan-out subscription on ${this.#stream} failed: ${String(cause)}`, { cause });
    this.#logger.error({ stream: this.#stream, err: error, lastSeq: this.#stats.lastSeq }, 'fan-out subscription failed');
    this.#caughtUp.reject(error);
    this.#closed.reject(error);
    this.#stopWatching();
    return error;
  }

  #finish(): void {
    this.#caughtUp.reject(new EventError('SUBSCRIPTION_FAILED', 'fan-out subscription stopped before it caught up'));
    this.#closed.resolve();
    this.#stopWatching();
  }

  #stopWatching(): void {
    clearInterval(this.#livenessTimer);
    // nats.js returns a QueuedIterator whose stop() ends the for-await loop of #watchConnection.
    (this.#connectionStatus as { stop?: () => void }).stop?.();
  }

  #read(msg: JsMsg): DeliveredEvent | undefined {
    this.#stats.lastSeq = msg.seq;
    this.#nextSeq = msg.seq + 1;
    try {
      const event = parseEvent(msg.data);
      this.#stats.delivered++;
      return { event, seq: msg.seq };
    } catch (error) {
      if (!(error instanceof EventError)) throw error;
      this.#stats.malformed++;
      this.#logger.warn({ stream: this.#stream, seq: msg.seq, subject: msg.subject, code: error.code, err: error }, 'skipped a malformed event');
      return undefined;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<DeliveredEvent> {
    if (this.#iterated) throw new TypeError('a fan-out subscription can be iterated only once');
    this.#iterated = true;
    return iterateConsumer({
      nc: this.#nc,
      messages: this.#messages,
      read: (msg) => {
        this.#liveness.busy();
        this.#liveness.sign();
        return this.#read(msg);
      },
      waiting: () => this.#liveness.waiting(),
      // Checked after the loop body returns, so "caught up" means the body has applied the event.
      handled: (msg) => {
        this.#checkCaughtUp(msg);
        this.#liveness.waiting();
      },
      fail: (cause) => this.#fail(cause),
      next: () => this.#replace(),
      stop: () => this.stop(),
    });
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopping.resolve();
    try {
      // A replacement being created becomes the current consumer, closed and deleted below.
      await this.#replacement;
      const messages = await this.#messages;
      const result = await messages.close();
      if (result instanceof Error) this.#logger.warn({ stream: this.#stream, err: result }, 'fan-out consumer did not close cleanly');
      // The server would drop the ephemeral consumer after its inactivity threshold anyway; deleting it frees it now.
      await this.#consumer?.delete().catch((error: unknown) => this.#logger.warn({ stream: this.#stream, err: error }, 'fan-out consumer could not be deleted'));
    } catch (cause) {
      // A subscription that never started has already rejected `closed` with the cause.
      if (!(cause instanceof EventError) && !this.#closed.settled) throw this.#fail(cause);
    }
    this.#finish();
  }
}

/**
 * Subscribes this process to every event under a prefix, in stream order, starting at `startTime`
 * (an ordered, ephemeral consumer: never shared with other instances). After a reconnect, a
 * server restart, or the loss of the cluster server holding the consumer (noticed when it stays
 * silent for `recreateAfterMissedHeartbeats` heartbeat intervals; `following` is false meanwhile)
 * the consumer is recreated after the last delivered sequence, so nothing is missed and nothing
 * repeats. Malformed events are counted, logged and skipped; the iterator never throws for them.
 *
 * @param nc - a connection; use `reconnect: true, maxReconnectAttempts: -1` to ride out restarts.
 * @param options - stream, subject prefix, start time, logger, idle heartbeat, missed heartbeats before recreation.
 * @returns the subscription; iterate it to receive events — `caughtUp` only progresses while it is iterated.
 * @throws TypeError for an invalid start time, stream name, prefix, idle heartbeat or missed-heartbeat count.
 *   The subscription's `closed`, `caughtUp` and iterator reject with EventError `SUBSCRIPTION_FAILED`
 *   when the stream does not exist or the consumer cannot be kept alive.
 * @example
 * const sub = subscribeFanOut(nc, { startTime: new Date(Date.now() - 16 * 60_000), logger });
 * void (async () => { for await (const { event } of sub) cache.apply(event); })();
 * await sub.caughtUp; // now report ready
 */
export function subscribeFanOut(nc: NatsConnection, options: FanOutOptions): FanOutSubscription {
  return new FanOut(nc, options);
}
