import { once } from 'node:events';
import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** One thing to close on the way out. */
export interface ShutdownStep {
  readonly name: string;
  run(): Promise<unknown>;
}

/** What {@link installGracefulShutdown} closes, and how the process ends. */
export interface GracefulShutdownOptions {
  readonly logger: Logger;
  /** Closed first: no new requests, idle keep-alive connections dropped, in-flight ones finish. */
  readonly server: Server;
  /** Run after the server, in order; an inner array runs its steps together. */
  readonly steps: ReadonlyArray<ShutdownStep | readonly ShutdownStep[]>;
  /** Ends the process; `process.exit` unless a test injects another. */
  readonly exit?: (code: number) => void;
}

/** Stops the service: logs the reason, runs every step, exits with `exitCode`, or 1 when a step failed. */
export type Shutdown = (reason: string, exitCode: number) => Promise<void>;

/**
 * Makes a service stop cleanly on SIGINT/SIGTERM and on an unhandled rejection: the HTTP server
 * stops accepting, then each step runs (drain NATS, close the database, ...). Every step runs even
 * when an earlier one failed — the failure that made us stop may be the reason a step fails — and
 * each failure is logged and turns the exit code to 1. A second call while stopping is ignored.
 *
 * @param options - logger, server, steps, exit
 * @returns the shutdown, for fatal paths of the service's own (a feed that failed for good, say)
 * @example
 * const shutdown = installGracefulShutdown({ logger, server, steps: [{ name: 'nats', run: () => nc.drain() }, { name: 'database', run: () => database.close() }] });
 * feed.closed.catch(() => void shutdown('revocation feed failed', 1));
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): Shutdown {
  const { logger, server } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => void shutdown(signal, 0);
  // An error nobody handled leaves the process in an unknown state: log it and stop cleanly.
  const onUnhandled = (error: unknown): void => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  };
  const shutdown: Shutdown = async (reason, exitCode) => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    let code = exitCode;
    const step = async ({ name, run }: ShutdownStep): Promise<void> => {
      try {
        await run();
      } catch (error) {
        logger.error({ err: error, step: name }, 'shutdown step failed');
        code = 1;
      }
    };
    await step({
      name: 'http server',
      run: async () => {
        const closed = once(server, 'close');
        server.close();
        server.closeIdleConnections();
        await closed;
      },
    });
    for (const entry of options.steps) {
      await (Array.isArray(entry) ? Promise.all(entry.map(step)) : step(entry as ShutdownStep));
    }
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, onSignal);
    process.off('unhandledRejection', onUnhandled);
    logger.info({ exitCode: code }, 'stopped');
    exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, onSignal);
  process.on('unhandledRejection', onUnhandled);
  return shutdown;
}
