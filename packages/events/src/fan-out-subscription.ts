import { type NatsConnection, nanos } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  type Consumer,
  type ConsumerMessages,
  type JetStreamManager,
  type JsMsg,
  type StreamInfo,
} from '@nats-io/jetstream';
import { EventError } from './errors';
import type { VetoEvent } from './event-schemas';
import { silentLogger, type Logger } from './logger';
import { parseEvent } from './parse-event';
import { allEventsSubject, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from './subjects';
import { isUnanswered, iterateConsumer } from './iterate-consumer';
import { settle, type Settle } from './settle';
import { ConsumerLiveness } from './consumer-liveness';
import { StreamCheck, type StreamSnapshot } from './fan-out-subscription-stream-check';

/** Options of {@link subscribeFanOut}. */
export interface FanOutOptions {
  /** The event stream, `AUTH` by default. */
  stream?: string;
  /** The stream's subject prefix, `auth` by default; every event under it is delivered. */
  subjectPrefix?: string;
  /**
   * Replay starts at the first event stored at or after this time (for a revocation cache: now -
   * (token TTL + skew)). A function is called at the start and again whenever the stream was reset
   * (deleted and created again) and the subscription rebuilds from the time window.
   */
  startTime: Date | (() => Date);
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
  /**
   * How often the stream is looked at (one `STREAM.INFO` request), in ms: 500 by default, between
   * 100 and 60 000. Notices a stream deleted or recreated while the connection stays up, and how far
   * the stream is ahead of what was handled (`behindSince`).
   */
  streamCheckIntervalMs?: number;
  /** Milliseconds since the epoch, for `behindSince` and the logged durations; `Date.now` by default. */
  clock?: () => number;
}

/**
 * Why a fan-out subscription is not following its stream right now:
 * `disconnected` (the connection is down), `reconnected` (back on a server, the consumer is being
 * recreated after the last delivered sequence), `consumer-lost` (its heartbeats stopped),
 * `stream-missing` (the stream does not exist), `stream-reset` (the stream was deleted and created
 * again, or emptied: rebuilding from the time window).
 */
export type FanOutInterruption = 'disconnected' | 'reconnected' | 'consumer-lost' | 'stream-missing' | 'stream-reset';

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
  /** The stream sequence of the last message seen, valid or not; 0 before the first (and again after a reset). */
  lastSeq: number;
  /** Times the stream was found deleted and created again (or emptied) and the subscription rebuilt from the time window. */
  resets: number;
  /** The stream's last sequence at the last stream check. */
  streamLastSeq: number;
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
   * False while {@link FanOutSubscription.interruption} is set: disconnected, just reconnected,
   * consumer lost, stream missing or reset, until a new consumer follows the stream again.
   */
  readonly following: boolean;
  /** Why the subscription is not following right now; `undefined` while it follows. */
  readonly interruption: FanOutInterruption | undefined;
  /**
   * Since when (clock ms) the subscription has not been following, kept across the stages of one
   * interruption (disconnected, reconnected, stream missing, reset); `undefined` while it follows.
   */
  readonly interruptedSince: number | undefined;
  /**
   * Since when (clock ms) the stream has held an event the loop body has not finished with, as seen
   * by the periodic stream checks; `undefined` while level with the last check.
   */
  readonly behindSince: number | undefined;
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
const DEFAULT_STREAM_CHECK_INTERVAL_MS = 500;
/**
 * Waits between attempts to recreate a consumer. Short at first: right after a restart the server
 * may answer before JetStream does, and the first retry should come as soon as it can; longer later,
 * because a cluster that just lost a server may need seconds to elect new leaders.
 */
const RECREATE_BACKOFF_MS = [100, 100, 250, 250, 500, 1_000, 2_000];
/**
 * How long `stop()` waits for the server to delete the consumer: a server that does not answer
 * (disconnected, JetStream not up yet) must not hold a shutdown for a full request timeout; the
 * ordered consumer is dropped by its server once inactive anyway.
 */
const STOP_DELETE_TIMEOUT_MS = 1_000;
/** Which interruption a new one must not hide: a reset needs a rebuild whatever happens next, a missing stream a check. */
const INTERRUPTION_RANK: Record<FanOutInterruption, number> = { disconnected: 0, reconnected: 1, 'consumer-lost': 2, 'stream-missing': 3, 'stream-reset': 4 };

interface CheckedOptions {
  startTime: () => Date;
  idleHeartbeatMs: number;
  recreateAfterMissedHeartbeats: number;
  streamCheckIntervalMs: number;
}

function checkOptions(options: FanOutOptions): CheckedOptions {
  const {
    startTime,
    idleHeartbeatMs = DEFAULT_IDLE_HEARTBEAT_MS,
    recreateAfterMissedHeartbeats = DEFAULT_RECREATE_AFTER_MISSED_HEARTBEATS,
    streamCheckIntervalMs = DEFAULT_STREAM_CHECK_INTERVAL_MS,
  } = options;
  if (typeof startTime !== 'function') checkStartTime(startTime);
  // The client clamps the heartbeat to 500..30 000 ms and the server wants it below the pull's 30 s expiry.
  if (!Number.isInteger(idleHeartbeatMs) || idleHeartbeatMs < 500 || idleHeartbeatMs > 15_000) {
    throw new TypeError(`subscribeFanOut: idleHeartbeatMs must be an integer between 500 and 15000, got ${String(idleHeartbeatMs)}`);
  }
  if (!Number.isInteger(recreateAfterMissedHeartbeats) || recreateAfterMissedHeartbeats < 2) {
    throw new TypeError(`subscribeFanOut: recreateAfterMissedHeartbeats must be an integer of at least 2, got ${String(recreateAfterMissedHeartbeats)}`);
  }
  if (!Number.isInteger(streamCheckIntervalMs) || streamCheckIntervalMs < 100 || streamCheckIntervalMs > 60_000) {
    throw new TypeError(`subscribeFanOut: streamCheckIntervalMs must be an integer between 100 and 60000, got ${String(streamCheckIntervalMs)}`);
  }
  return {
    startTime: typeof startTime === 'function' ? () => checkStartTime(startTime()) : () => startTime,
    idleHeartbeatMs,
    recreateAfterMissedHeartbeats,
    streamCheckIntervalMs,
  };
}

function checkStartTime(startTime: unknown): Date {
  if (!(startTime instanceof Date) || Number.isNaN(startTime.getTime())) throw new TypeError('subscribeFanOut: startTime must be a valid Date or a function returning one');
  return startTime;
}

function snapshotOf(info: StreamInfo): StreamSnapshot {
  return { created: info.created, lastSeq: info.state.last_seq };
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

class FanOut implements FanOutSubscription {
  readonly #nc: NatsConnection;
  readonly #stream: string;
  readonly #filter: string;
  readonly #startTime: () => Date;
  readonly #clock: () => number;
  readonly #logger: Logger;
  readonly #caughtUp: Settle<void> = settle();
  readonly #closed: Settle<void> = settle();
  readonly #stopping: Settle<void> = settle();
  readonly #idleHeartbeatMs: number;
  readonly #recreateAfterMissedHeartbeats: number;
  /** The current consumer's messages (`undefined`: stopped before the first was set up); replaced when the consumer is recreated. */
  #messages: Promise<ConsumerMessages | undefined>;
  #consumer: Consumer | undefined;
  #current: ConsumerMessages | undefined;
  /** The first stream sequence the next consumer must deliver: the start, then the last seen + 1. */
  #nextSeq = 0;
  /** The last sequence the loop body has finished with. */
  #handledSeq = 0;
  /** Set while not following: why, and since when (clock ms). */
  #interruption: { reason: FanOutInterruption; readonly since: number } | undefined;
  /** Bumped by every interruption, so a recovery that raced with a newer one does not clear it. */
  #interruptions = 0;
  /** Ends the recovery's current wait; set while it waits. */
  #wake: (() => void) | undefined;
  #streamCheck: StreamCheck | undefined;
  #checkingStream = false;
  /** Set from a rebuild after a reset until the new consumer has delivered the window it replays: still not following. */
  #rebuilding = false;
  /** The interruption count when the rebuilding consumer was created: a later interruption owns the recovery. */
  #rebuildEpoch = 0;
  readonly #liveness: ConsumerLiveness;
  readonly #livenessTimer: NodeJS.Timeout;
  readonly #streamTimer: NodeJS.Timeout;
  readonly #connectionStatus: ReturnType<NatsConnection['status']>;
  #isCaughtUp = false;
  #catchUpSeq = 0;
  #iterated = false;
  #stopped = false;
  readonly #stats: Omit<FanOutStats, 'streamLastSeq'> = { delivered: 0, malformed: 0, lastSeq: 0, resets: 0 };

  constructor(nc: NatsConnection, options: FanOutOptions) {
    const checked = checkOptions(options);
    this.#stream = options.stream ?? DEFAULT_STREAM;
    if (!STREAM_NAME.test(this.#stream)) throw new TypeError(`subscribeFanOut: stream must match ${STREAM_NAME}, got ${JSON.stringify(this.#stream)}`);
    this.#filter = allEventsSubject(options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
    this.#idleHeartbeatMs = checked.idleHeartbeatMs;
    this.#recreateAfterMissedHeartbeats = checked.recreateAfterMissedHeartbeats;
    this.#nc = nc;
    this.#startTime = checked.startTime;
    this.#clock = options.clock ?? Date.now;
    this.#logger = options.logger ?? silentLogger;
    // Silence is a timeout: measured in real time, never on the injected clock, which a test may freeze or move by jumps.
    this.#liveness = new ConsumerLiveness({ idleHeartbeatMs: this.#idleHeartbeatMs, missedHeartbeats: this.#recreateAfterMissedHeartbeats });
    this.#livenessTimer = setInterval(() => this.#checkLiveness(), this.#idleHeartbeatMs);
    this.#livenessTimer.unref();
    this.#streamTimer = setInterval(() => void this.#checkStream(), checked.streamCheckIntervalMs);
    this.#streamTimer.unref();
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
    return this.#interruption === undefined;
  }

  get interruption(): FanOutInterruption | undefined {
    return this.#interruption?.reason;
  }

  get interruptedSince(): number | undefined {
    return this.#interruption?.since;
  }

  get behindSince(): number | undefined {
    return this.#streamCheck?.behindSince;
  }

  get closed(): Promise<void> {
    return this.#closed.promise;
  }

  get stats(): FanOutStats {
    return { ...this.#stats, streamLastSeq: this.#streamCheck?.streamLastSeq ?? 0 };
  }

  /**
   * Sets the subscription up. A request JetStream did not answer (the server was killed while it was
   * in flight, or is back without JetStream yet) is asked again while the connection is open, a
   * reconnect ending the wait early: failing here would end a service that started a moment before
   * a NATS restart. An answer ("stream not found") stays a failure.
   */
  async #start(): Promise<ConsumerMessages | undefined> {
    for (let attempt = 1, failures = 0; ; attempt++) {
      try {
        return await this.#setUp();
      } catch (error) {
        if (!isUnanswered(error) || this.#nc.isClosed()) throw error;
        if (this.#stopped) return undefined;
        // Attempts 1, 2, 4, 8...: JetStream without an answer for minutes must not flood the log.
        if ((attempt & (attempt - 1)) === 0) {
          this.#logger.warn({ stream: this.#stream, attempt, err: error }, 'fan-out subscription could not start yet (JetStream did not answer); retrying');
        }
        failures = (await this.#pause(RECREATE_BACKOFF_MS[Math.min(failures, RECREATE_BACKOFF_MS.length - 1)] ?? 2_000)) ? 0 : failures + 1;
        if (this.#stopped) return undefined;
      }
    }
  }

  /** One attempt of {@link FanOut.#start}: the backlog to replay, the start sequence, the consumer. */
  async #setUp(): Promise<ConsumerMessages> {
    const jsm = await jetstreamManager(this.#nc);
    // Everything up to the stream's last sequence now is the backlog to replay before "caught up".
    const info = await jsm.streams.info(this.#stream);
    this.#streamCheck = new StreamCheck(snapshotOf(info));
    this.#catchUpSeq = info.state.last_seq;
    const startTime = this.#startTime();
    const { startSeq, pending } = await this.#resolveStart(jsm, startTime);
    this.#nextSeq = startSeq;
    this.#handledSeq = startSeq - 1;
    const messages = await this.#follow();
    this.#logger.info(
      { stream: this.#stream, filter: this.#filter, startTime: startTime.toISOString(), startSeq, pending, catchUpSeq: this.#catchUpSeq },
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
    // A replay pulls the whole retained window: 1,000 messages per pull request (the client's
    // default is 100) cut the pull round trips tenfold, which bench/ measured as faster rebuilds.
    const messages = await consumer.consume({ max_messages: 1000, idle_heartbeat: this.#idleHeartbeatMs });
    if (this.#stopped) {
      // Stopped while this consumer was being created: stop() did not wait for it, so it is released here.
      void this.#release(messages, consumer);
      return messages;
    }
    this.#consumer = consumer;
    this.#current = messages;
    this.#liveness.sign();
    this.#watchStatus(messages).catch((error: unknown) => this.#logger.error({ stream: this.#stream, err: error }, 'fan-out status watcher failed'));
    return messages;
  }

  /** Finds the first sequence at or after `startTime` with a short-lived probe consumer, which the server positions by time. */
  async #resolveStart(jsm: JetStreamManager, startTime: Date): Promise<{ startSeq: number; pending: number }> {
    const probe = await jsm.consumers.add(this.#stream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: startTime.toISOString(),
      filter_subject: this.#filter,
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: nanos(60_000),
    });
    await jsm.consumers.delete(this.#stream, probe.name);
    return { startSeq: probe.delivered.stream_seq + 1, pending: probe.num_pending };
  }

  /** The stream's info, or `undefined` when the server says it does not exist; throws when JetStream does not answer. */
  async #streamInfo(): Promise<StreamInfo | undefined> {
    try {
      return await (await jetstreamManager(this.#nc, { checkAPI: false })).streams.info(this.#stream);
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw error;
    }
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
      if (status.type === 'disconnect') {
        this.#liveness.disconnected();
        this.#interrupt('disconnected', { server: status.server });
      } else if (status.type === 'reconnect') {
        this.#liveness.reconnected();
        this.#interrupt('reconnected', { server: status.server });
        // A recovery waiting out a backoff tries the new server at once.
        this.#wake?.();
      }
    }
    // The connection closed: there is nothing left to watch.
    this.#stopWatching();
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
    // A recovery under way already replaces the consumer; its silence is expected. A replay after a reset runs on a consumer, which may get lost too.
    if (silentMs === undefined || (this.#interruption !== undefined && !this.#rebuilding)) return;
    this.#interrupt('consumer-lost', { silentMs });
  }

  /**
   * Looks at the stream while following it: a stream deleted (and maybe recreated) while this
   * connection stayed up shows no other sign here, because the client quietly recreates its
   * ordered consumer at the old position in whatever stream now carries the name.
   */
  async #checkStream(): Promise<void> {
    if (this.#checkingStream || this.#stopped || this.#interruption !== undefined || this.#current === undefined || this.#streamCheck === undefined) return;
    this.#checkingStream = true;
    // Taken before asking: events delivered while the answer travels are newer than the answer, and a
    // busy stream would otherwise look as if its last sequence fell below the position.
    const position = this.#nextSeq - 1;
    try {
      const info = await this.#streamInfo();
      // Whatever happened meanwhile (a reconnect, a loss) is handled by the recovery, which checks the stream itself.
      if (this.#interruption !== undefined || this.#stopped) return;
      if (info === undefined) {
        this.#interrupt('stream-missing', { lastSeq: this.#stats.lastSeq });
        return;
      }
      if (!this.#noteReset(info, position)) this.#streamCheck.observe(info.state.last_seq, this.#handledSeq, this.#clock());
    } catch (error) {
      // JetStream not answering is for the connection and liveness watches to judge; the next check looks again.
      this.#logger.debug({ stream: this.#stream, err: error }, 'fan-out stream check failed');
    } finally {
      this.#checkingStream = false;
    }
  }

  /**
   * Counts, logs and marks a reset when `info` shows another stream than the one followed.
   *
   * @param position - the last sequence taken from the stream before `info` was asked for
   * @returns whether the stream was reset (now or noted before)
   */
  #noteReset(info: StreamInfo, position: number): boolean {
    if (this.#interruption?.reason === 'stream-reset') return true;
    const cause = this.#streamCheck?.resetCause(snapshotOf(info), position);
    if (cause === undefined) return false;
    this.#stats.resets++;
    this.#logger.warn(
      { stream: this.#stream, cause, position, streamLastSeq: info.state.last_seq, created: info.created, resets: this.#stats.resets },
      'fan-out stream was reset (deleted and created again, or emptied); rebuilding from the time window',
    );
    if (this.#interruption === undefined) this.#interrupt('stream-reset', {});
    else this.#escalate('stream-reset');
    return true;
  }

  /** Records a stronger reason for an interruption the recovery is already handling, without starting another one. */
  #escalate(reason: FanOutInterruption): void {
    if (this.#interruption !== undefined && INTERRUPTION_RANK[reason] > INTERRUPTION_RANK[this.#interruption.reason]) this.#interruption.reason = reason;
  }

  /**
   * Stops following until a new consumer exists: records why (a stronger reason replaces a weaker
   * one) and closes the current consumer's messages, so the iteration drains what already arrived
   * and then asks {@link FanOut.#replace} for a new consumer. A disconnection only records: nothing
   * can be recreated before the connection is back.
   */
  #interrupt(reason: FanOutInterruption, context: Record<string, unknown>): void {
    if (this.#stopped || this.#current === undefined) return;
    this.#interruptions++;
    const previous = this.#interruption;
    if (previous === undefined || INTERRUPTION_RANK[reason] > INTERRUPTION_RANK[previous.reason]) {
      this.#interruption = { reason, since: previous?.since ?? this.#clock() };
    }
    if (reason === 'disconnected') return;
    const messages = this.#current;
    if (reason === 'consumer-lost') {
      this.#logger.warn(
        { stream: this.#stream, ...context, lastSeq: this.#stats.lastSeq },
        'fan-out consumer lost (its heartbeats stopped); recreating it after the last delivered sequence',
      );
    } else if (reason === 'reconnected') {
      // The client's own recovery may sleep for half a minute when its first consumer lookup fails
      // (JetStream not answering yet): recreating the consumer here does not depend on it.
      this.#logger.info({ stream: this.#stream, ...context, lastSeq: this.#stats.lastSeq }, 'fan-out reconnected; recreating its consumer after the last delivered sequence');
    } else if (reason === 'stream-missing') {
      this.#logger.warn({ stream: this.#stream, ...context }, 'fan-out stream does not exist; waiting for it');
    }
    messages
      .close()
      .then((result) => {
        if (result instanceof Error) this.#logger.warn({ stream: this.#stream, err: result }, 'interrupted fan-out consumer did not close cleanly');
      })
      .catch((error: unknown) => this.#logger.error({ stream: this.#stream, err: error }, 'closing the interrupted fan-out consumer failed'));
  }

  /** The next consumer's messages after the current ones ended: a replacement after an interruption, or none. */
  #replace(): Promise<ConsumerMessages | undefined> {
    if (this.#interruption === undefined || this.#stopped) return Promise.resolve(undefined);
    return this.#recover();
  }

  async #recover(): Promise<ConsumerMessages | undefined> {
    // When the consumer survived on its server it would otherwise linger until its inactivity threshold.
    this.#consumer
      ?.delete()
      .catch((error: unknown) => this.#logger.debug({ stream: this.#stream, err: error }, 'replaced fan-out consumer could not be deleted; its server drops it when inactive'));
    this.#consumer = undefined;
    // `attempt` counts for the log; `failures` for the backoff, which starts over after a reconnect.
    for (let attempt = 1, failures = 0; !this.#stopped && !this.#nc.isClosed(); attempt++) {
      const epoch = this.#interruptions;
      try {
        // A stop does not wait for JetStream to answer the attempt's requests: #follow releases what the attempt creates after it.
        const messages = await Promise.race([this.#recreate(), this.#stopping.promise.then(() => undefined)]);
        if (messages === undefined || this.#stopped) return undefined;
        this.#messages = Promise.resolve(messages);
        const interruption = this.#interruption;
        if (epoch !== this.#interruptions) {
          // Interrupted again while recreating (another reconnect, say): this consumer may be stale too.
          // Not awaited: the close completes only once the iteration has drained these messages.
          void messages.close();
          return messages;
        }
        const context = {
          stream: this.#stream,
          reason: interruption?.reason,
          startSeq: this.#nextSeq,
          interruptedForMs: this.#clock() - (interruption?.since ?? this.#clock()),
          attempts: attempt,
        };
        if (this.#rebuilding) {
          this.#rebuildEpoch = epoch;
          this.#logger.info(context, 'fan-out consumer recreated after a stream reset; replaying the time window');
        } else {
          this.#interruption = undefined;
          this.#logger.info(context, 'fan-out consumer recreated; following the stream again');
        }
        return messages;
      } catch (error) {
        // Attempts 1, 2, 4, 8...: a stream missing for minutes must not flood the log.
        if ((attempt & (attempt - 1)) === 0) this.#logger.warn({ stream: this.#stream, attempt, err: error }, 'fan-out consumer could not be recreated yet; retrying');
        failures = (await this.#pause(RECREATE_BACKOFF_MS[Math.min(failures, RECREATE_BACKOFF_MS.length - 1)] ?? 2_000)) ? 0 : failures + 1;
      }
    }
    return undefined;
  }

  /** One attempt: looks at the stream first, rebuilds from the time window when it was reset, then follows it. */
  async #recreate(): Promise<ConsumerMessages> {
    this.#rebuilding = false;
    const position = this.#nextSeq - 1;
    const info = await this.#streamInfo();
    if (info === undefined) {
      this.#escalate('stream-missing');
      throw new EventError('SUBSCRIPTION_FAILED', `stream ${this.#stream} does not exist`);
    }
    if (this.#noteReset(info, position)) await this.#rebuild(info);
    return this.#follow();
  }

  /** Positions the subscription at the start of the time window in the stream that replaced the old one. */
  async #rebuild(info: StreamInfo): Promise<void> {
    const startTime = this.#startTime();
    const { startSeq, pending } = await this.#resolveStart(await jetstreamManager(this.#nc, { checkAPI: false }), startTime);
    this.#streamCheck?.adopt(snapshotOf(info));
    this.#nextSeq = startSeq;
    this.#handledSeq = startSeq - 1;
    this.#stats.lastSeq = 0;
    // Nothing to replay: following as soon as the consumer exists; otherwise once the window was handled.
    this.#rebuilding = pending > 0;
    if (!this.#isCaughtUp) this.#catchUpSeq = info.state.last_seq;
    this.#logger.info({ stream: this.#stream, startTime: startTime.toISOString(), startSeq, pending }, 'fan-out rebuilding from the time window after a stream reset');
  }

  /** The window replayed after a reset has been handled: following again. */
  #rebuilt(): void {
    this.#rebuilding = false;
    const interruption = this.#interruption;
    // A newer interruption (a reconnect during the replay, say) is left for its own recovery.
    if (interruption?.reason !== 'stream-reset' || this.#interruptions !== this.#rebuildEpoch) return;
    this.#interruption = undefined;
    this.#logger.info(
      { stream: this.#stream, lastSeq: this.#stats.lastSeq, interruptedForMs: this.#clock() - interruption.since },
      'fan-out replayed the time window after a stream reset; following the stream again',
    );
  }

  /**
   * Waits between recovery attempts; a reconnect or `stop()` ends the wait early.
   *
   * @returns true when woken early by a reconnect: the server changed, so the backoff starts over
   */
  #pause(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const wake = (early: boolean): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve(early);
      };
      const timer = setTimeout(() => wake(false), ms);
      this.#wake = () => wake(true);
      void this.#stopping.promise.then(() => wake(false));
    });
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
    clearInterval(this.#streamTimer);
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
        this.#handledSeq = msg.seq;
        this.#streamCheck?.handled(msg.seq);
        if (this.#rebuilding && msg.info.pending === 0) this.#rebuilt();
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
    // Ends a recovery's backoff and its wait for JetStream; a consumer created after this is released by #follow.
    this.#stopping.resolve();
    if (this.#current !== undefined) await this.#release(this.#current, this.#consumer);
    this.#finish();
  }

  /**
   * Closes a consumer's messages and deletes the consumer, bounded: waits neither for the iteration
   * to drain the messages (it may never read them, or be the caller, inside its loop body) nor
   * longer than {@link STOP_DELETE_TIMEOUT_MS} for the server.
   */
  async #release(messages: ConsumerMessages, consumer: Consumer | undefined): Promise<void> {
    messages
      .close()
      .then((result) => {
        if (result instanceof Error) this.#logger.warn({ stream: this.#stream, err: result }, 'fan-out consumer did not close cleanly');
      })
      .catch((error: unknown) => this.#logger.warn({ stream: this.#stream, err: error }, 'closing the fan-out consumer failed'));
    if (consumer === undefined || this.#nc.isClosed()) return;
    try {
      // The server would drop the ephemeral consumer after its inactivity threshold anyway; deleting it frees it now.
      const { stream_name: stream, name } = await consumer.info(true);
      const jsm = await jetstreamManager(this.#nc, { checkAPI: false, timeout: STOP_DELETE_TIMEOUT_MS });
      await jsm.consumers.delete(stream, name);
    } catch (error) {
      this.#logger.warn({ stream: this.#stream, err: error }, 'fan-out consumer could not be deleted; its server drops it when inactive');
    }
  }
}

/**
 * Subscribes this process to every event under a prefix, in stream order, starting at `startTime`
 * (an ordered, ephemeral consumer: never shared with other instances). After a reconnect or a
 * server restart (as soon as JetStream answers), or the loss of the cluster server holding the
 * consumer (noticed when it stays silent for `recreateAfterMissedHeartbeats` heartbeat intervals)
 * the consumer is recreated after the last delivered sequence, so nothing is missed and nothing
 * repeats. When the stream was deleted and created again, or emptied (checked after every
 * reconnect and every `streamCheckIntervalMs`), it replays from `startTime` in the new stream
 * instead of resuming at a stale sequence. `following` is false, and `interruption` says why,
 * until a consumer follows again. A set-up request JetStream does not answer (NATS restarting) is
 * asked again while the connection is open. Malformed events are counted, logged and skipped; the
 * iterator never throws for them.
 *
 * @param nc - a connection; use `reconnect: true, maxReconnectAttempts: -1` to ride out restarts.
 * @param options - stream, subject prefix, start time, logger, idle heartbeat, missed heartbeats before recreation, stream check interval, clock.
 * @returns the subscription; iterate it to receive events — `caughtUp` only progresses while it is iterated.
 * @throws TypeError for an invalid start time, stream name, prefix, idle heartbeat, missed-heartbeat count or stream check interval.
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
