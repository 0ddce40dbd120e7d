import {
  connectWithRetry,
  DEFAULT_STREAM,
  ensureStreams,
  EventError,
  EventPublisher,
  storedEventId,
  type NatsConnection,
  type PublishResult,
  type StreamOptions,
  type VetoEvent,
} from '@veto/events';
import type { Logger } from 'pino';

/** Where and how the auth service reaches NATS. */
export interface EventBusOptions {
  /** Server URLs. */
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** The `AUTH` stream's configuration, applied on every (re)connection. */
  readonly stream: StreamOptions;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /**
   * Called when the bus can publish, the streams just ensured: after the first connection,
   * every reconnect, and a publish that found no stream. The stream may have been lost
   * meanwhile (a server restarted without its store), so check it before publishing more.
   */
  readonly onAvailable: () => void;
  /** Called when connecting fails for good: the credentials are refused (EventError `CONNECT_FAILED`). */
  readonly onFatal: (error: unknown) => void;
  /** Delay between attempts to create the streams. Default 1000 ms. */
  readonly retryMs?: number;
}

/** The payloads of the messages on a subject, as an async iterable. */
export interface BusSubscription extends AsyncIterable<Uint8Array> {
  /** Ends the iteration (at once when the bus is not connected yet). */
  stop(): void;
  /** Resolves when the iteration ended: with the server's refusal (e.g. a permissions violation), else with nothing. */
  readonly closed: Promise<Error | undefined>;
}

/** The auth service's NATS connection, which may not exist yet. */
export interface EventBus {
  /**
   * Publishes one event and waits for the JetStream acknowledgement. A refusal because no
   * stream captures the subject (it was deleted) makes the bus unavailable until it has
   * recreated the streams (then `onAvailable` fires).
   * @throws {EventError} `PUBLISH_FAILED` when not connected yet or when no acknowledgement comes
   */
  publish(event: VetoEvent): Promise<PublishResult>;
  /**
   * Whether the `AUTH` stream stores this event at this sequence.
   * @throws {EventError} `STREAM_SETUP_FAILED` when not connected or JetStream does not answer
   */
  holds(anchor: { readonly id: string; readonly streamSeq: number }): Promise<boolean>;
  /** Whether a publish can work now: connected, with the streams in place. */
  isAvailable(): boolean;
  /** Resolves once connected with the streams in place (first time only). */
  readonly available: Promise<void>;
  /**
   * A core NATS subscription (no JetStream) that starts once the bus is connected, however long
   * that takes, and lives across reconnects (the client subscribes again on each). It ends when
   * stopped, when the bus closes, or when the server refuses it (`closed` then resolves with the error).
   */
  subscribe(subject: string): BusSubscription;
  /** Stops connecting, then drains the connection if there is one. */
  close(): Promise<void>;
}

/**
 * Whether a publish failed because no stream captures the subject: JetStream answers a
 * publish on such a subject with "no responders" (503), which the client reports as
 * `JetStreamNotEnabled`; a stream deleted mid-request answers "stream not found".
 */
function isMissingStream(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name === 'JetStreamNotEnabled' || cause.name === 'StreamNotFoundError' || /no responders|stream not found|\b503\b/i.test(cause.message)) {
      return true;
    }
  }
  return false;
}

/**
 * Connects to NATS in the background, forever: the auth service starts and serves without
 * the bus (bans are written to the outbox and published once it is reachable). After the
 * first connection, every reconnect, and a publish refused for want of a stream, the `AUTH`
 * stream is created or updated (retried until it works), then `onAvailable` fires.
 *
 * @param options - see {@link EventBusOptions}
 * @returns the bus handle; `publish` fails fast until it is connected
 * @example
 * const bus = connectEventBus({ servers: ['nats://127.0.0.1:4222'], stream: {}, logger, onAvailable: () => relay.resync(), onFatal: stop });
 */
export function connectEventBus(options: EventBusOptions): EventBus {
  const retryMs = options.retryMs ?? 1000;
  const streamName = options.stream.name ?? DEFAULT_STREAM;
  const dialing = new AbortController();
  let closing = false;
  let nc: NatsConnection | undefined;
  let publisher: EventPublisher | undefined;
  // Tracked from status events: while disconnected a publish would only wait for its timeout.
  let connected = false;
  // False from a (re)connection or a missing stream until the streams are ensured again.
  let streamsReady = false;
  let ensuring: Promise<void> | undefined;

  /** Ensures the streams (retrying until it works), then announces the bus; one run at a time. */
  const prepare = (connection: NatsConnection): Promise<void> => {
    streamsReady = false;
    ensuring ??= (async () => {
      try {
        while (!closing) {
          try {
            await ensureStreams(connection, options.stream);
            break;
          } catch (error) {
            options.logger.warn({ err: error, retryInMs: retryMs }, 'could not create or update the AUTH stream; retrying');
            await new Promise((resolve) => setTimeout(resolve, retryMs));
          }
        }
      } finally {
        ensuring = undefined;
      }
      if (!closing) {
        streamsReady = true;
        options.onAvailable();
      }
    })();
    return ensuring;
  };

  const watchStatus = async (connection: NatsConnection): Promise<void> => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        options.logger.warn({ server: status.server }, 'NATS disconnected; the outbox keeps events until it is back');
      } else if (status.type === 'reconnect') {
        connected = true;
        options.logger.info({ server: status.server }, 'NATS reconnected; ensuring the streams');
        // The server may have come back without its store: the streams are recreated before anything is published.
        void prepare(connection);
      }
    }
  };

  let announceConnection: (connection: NatsConnection | undefined) => void = () => undefined;
  const connection = new Promise<NatsConnection | undefined>((resolve) => {
    announceConnection = resolve;
  });

  const started = (async () => {
    // Keep dialing, without a bound, through refused connections and slow handshakes (each attempt
    // logged): the service must not depend on the bus to start. Only refused credentials end it.
    const dialed = await connectWithRetry(
      { servers: [...options.servers], name: 'veto-auth', user: options.user, pass: options.password, maxReconnectAttempts: -1, reconnectTimeWait: 250 },
      { giveUpAfterMs: Infinity, logger: options.logger, signal: dialing.signal },
    ).catch((error: unknown) => {
      if (closing) return undefined;
      throw error;
    });
    if (dialed === undefined) return;
    nc = dialed;
    if (closing) {
      await dialed.close();
      return;
    }
    void watchStatus(dialed);
    publisher = new EventPublisher(dialed);
    connected = true;
    announceConnection(dialed);
    await prepare(dialed);
    options.logger.info({ server: dialed.getServer() }, 'connected to NATS; publishing the outbox');
  })();
  // Subscriptions waiting for a connection that will never come (refused, or closed while dialing) end.
  void started.then(
    () => announceConnection(undefined),
    (error: unknown) => {
      announceConnection(undefined);
      options.onFatal(error);
    },
  );

  return {
    available: started,
    isAvailable: () => publisher !== undefined && connected && streamsReady,
    async publish(event) {
      if (publisher === undefined || nc === undefined || !connected || !streamsReady) {
        throw new EventError('PUBLISH_FAILED', `not connected to NATS; ${event.type} ${event.id} stays in the outbox`);
      }
      try {
        return await publisher.publish(event);
      } catch (error) {
        if (isMissingStream(error) && streamsReady) {
          options.logger.warn({ err: error, stream: streamName }, 'the AUTH stream is gone; recreating it');
          void prepare(nc);
        }
        throw error;
      }
    },
    async holds(anchor) {
      if (nc === undefined || !connected) {
        throw new EventError('STREAM_SETUP_FAILED', `not connected to NATS; cannot check stream ${streamName}`);
      }
      return (await storedEventId(nc, streamName, anchor.streamSeq)) === anchor.id;
    },
    subscribe(subject) {
      let stopping = () => undefined as void;
      const stopped = new Promise<undefined>((resolve) => {
        stopping = () => resolve(undefined);
      });
      let subscription: ReturnType<NatsConnection['subscribe']> | undefined;
      let settle: (result: Error | undefined) => void = () => undefined;
      const closed = new Promise<Error | undefined>((resolve) => {
        settle = resolve;
      });
      async function* payloads(): AsyncGenerator<Uint8Array> {
        try {
          const open = await Promise.race([connection, stopped]);
          if (open === undefined || open.isClosed()) return;
          subscription = open.subscribe(subject);
          for await (const message of subscription) {
            yield message.data;
          }
          const ended = await subscription.closed;
          settle(ended instanceof Error ? ended : undefined);
        } catch (error) {
          settle(error instanceof Error ? error : new Error(String(error)));
        } finally {
          settle(undefined);
        }
      }
      const iterable = payloads();
      return {
        [Symbol.asyncIterator]: () => iterable,
        stop() {
          stopping();
          subscription?.unsubscribe();
        },
        closed,
      };
    },
    async close() {
      closing = true;
      dialing.abort();
      if (nc === undefined) {
        // Still dialing: an attempt in progress ends within its handshake timeout (then closes at once), so do not wait for it.
        return;
      }
      await started;
      if (!nc.isClosed()) {
        await nc.drain();
      }
    },
  };
}
