import pino from 'pino';
import { connectEventBus, type EventBus, type EventBusOptions } from '../data-access/event-bus';

/**
 * The real event bus on a test server, retrying the stream set-up every 50 ms; a fatal
 * connection error fails the test (throws) unless `onFatal` is given.
 *
 * @param url - the test server's URL
 * @param options - any bus option to override (logger silent by default)
 * @example
 * const bus = connectTestBus(nats.url, { onAvailable: () => relay.resync() });
 */
export function connectTestBus(url: string, options: Partial<EventBusOptions> = {}): EventBus {
  return connectEventBus({
    servers: [url],
    stream: {},
    logger: pino({ level: 'silent' }),
    retryMs: 50,
    onAvailable: () => undefined,
    onFatal: (error) => {
      throw error;
    },
    ...options,
  });
}
