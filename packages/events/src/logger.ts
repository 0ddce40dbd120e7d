/**
 * The logging surface @veto/events needs: a subset of pino's, so a pino logger fits as is.
 * Every method takes a context object first and a message second.
 *
 * @example
 * import pino from 'pino';
 * subscribeFanOut(nc, { startTime, logger: pino() });
 */
export interface Logger {
  debug(context: object, message: string): void;
  info(context: object, message: string): void;
  warn(context: object, message: string): void;
  error(context: object, message: string): void;
}

const noop = (): void => undefined;

/** A logger that discards everything, used when none is given. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
