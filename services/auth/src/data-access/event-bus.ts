import { connectWithRetry, ensureStreams, EventError, EventPublisher, type NatsConnection, type StreamOptions, type VetoEvent } from '@veto/events';
import type { Logger } from 'pino';

/** Where and how the auth service reaches NATS. */
export interface EventBusOptions {
  /** Server URLs. */
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  /** The `AUTH` stream's configuration, applied once connected. */
  readonly stream: StreamOptions;
  readonly logger: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Called when the bus can publish: first connection (streams ensured) and every reconnect. */
  readonly onAvailable: () => void;
  /** Called when connecting fails for good: the credentials are refused (EventError `CONNECT_FAILED`). */
  readonly onFatal: (error: unknown) => void;
  /** Delay between attempts to create the streams. Default 1000 ms. */
  readonly retryMs?: number;
}

/** The auth service's NATS connection, which may not exist yet. */
export interface EventBus {
  /**
   * Publishes one event and waits for the JetStream acknowledgement.
   * @throws {EventError} `PUBLISH_FAILED` when not connected yet or when no acknowledgement comes
   */
  publish(event: VetoEvent): Promise<unknown>;
  /** Whether a publish can work now: connected, with the streams in place. */
  isAvailable(): boolean;
  /** Resolves once connected with the streams in place (first time only). */
  readonly available: Promise<void>;
  /** Stops connecting, then drains the connection if there is one. */
  close(): Promise<void>;
}

/**
 * Connects to NATS in the background, forever: the auth service starts and serves without
 * the bus (bans are written to the outbox and published once it is reachable). After the
 * first connection the `AUTH` stream is created or updated (retried until it works), then
 * `onAvailable` fires — and again after every reconnect.
 *
 * @param options - see {@link EventBusOptions}
 * @returns the bus handle; `publish` fails fast until it is connected
 * @example
 * const bus = connectEventBus({ servers: ['nats://127.0.0.1:4222'], stream: {}, logger, onAvailable: () => relay.retryNow(), onFatal: stop });
 */
export function connectEventBus(options: EventBusOptions): EventBus {
  const retryMs = options.retryMs ?? 1000;
  const dialing = new AbortController();
  let closing = false;
  let nc: NatsConnection | undefined;
  let publisher: EventPublisher | undefined;
  // Tracked from status events: while disconnected a publish would only wait for its timeout.
  let connected = false;

  const watchStatus = async (connection: NatsConnection): Promise<void> => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        options.logger.warn({ server: status.server }, 'NATS disconnected; the outbox keeps events until it is back');
      } else if (status.type === 'reconnect') {
        connected = true;
        options.logger.info({ server: status.server }, 'NATS reconnected');
        options.onAvailable();
      }
    }
  };

  const started = (async () => {
    // Keep dialing, without a bound, through refused connections and slow handshakes (each attempt
    // logged): the service must not depend on the bus to start. Only refused credentials end it.
    const connection = await connectWithRetry(
      { servers: [...options.servers], name: 'veto-auth', user: options.user, pass: options.password, maxReconnectAttempts: -1, reconnectTimeWait: 250 },
      { giveUpAfterMs: Infinity, logger: options.logger, signal: dialing.signal },
    ).catch((error: unknown) => {
      if (closing) return undefined;
      throw error;
    });
    if (connection === undefined) return;
    nc = connection;
    if (closing) {
      await connection.close();
      return;
    }
    void watchStatus(connection);
    while (!closing) {
      try {
        await ensureStreams(connection, options.stream);
        break;
      } catch (error) {
        options.logger.warn({ err: error, retryInMs: retryMs }, 'could not create or update the AUTH stream; retrying');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    publisher = new EventPublisher(connection);
    connected = true;
    options.logger.info({ server: connection.getServer() }, 'connected to NATS; publishing the outbox');
    options.onAvailable();
  })();
  started.catch(options.onFatal);

  return {
    available: started,
    isAvailable: () => publisher !== undefined && connected,
    async publish(event) {
      if (publisher === undefined || !connected) {
        throw new EventError('PUBLISH_FAILED', `not connected to NATS; ${event.type} ${event.id} stays in the outbox`);
      }
      return publisher.publish(event);
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
