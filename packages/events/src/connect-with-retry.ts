import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { delay } from './delay';
import { EventError } from './errors';
import { silentLogger, type Logger } from './logger';

/** Options of {@link connectWithRetry}, besides the client's own connection options. */
export interface ConnectRetryOptions {
  /** How long to keep trying, in ms from the first attempt; `Infinity` keeps trying until `signal` aborts. */
  giveUpAfterMs: number;
  /** How long one attempt may take, TCP connect to the server's PONG included; 20 000 by default. */
  handshakeTimeoutMs?: number;
  /** Waits between attempts (the last entry repeats); `[250, 500, 1000, 2000]` by default. */
  retryDelaysMs?: readonly number[];
  /** Receives one warn line per failed attempt (with its `code`), the connection, and giving up. */
  logger?: Logger;
  /** Stops trying: the pending wait ends and the call rejects with `CONNECT_FAILED`. */
  signal?: AbortSignal;
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 20_000;
const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1000, 2000];

/**
 * A stable name for why one connection attempt failed, for logs: `ECONNREFUSED` and the other
 * socket codes, `HANDSHAKE_TIMEOUT` (the client's own timeout), `AUTHENTICATION_TIMEOUT` (the
 * server's `authorization.timeout` ran out before our CONNECT arrived: a slow handshake),
 * `AUTHORIZATION_VIOLATION` (credentials refused), or the error's name.
 *
 * @param error - what `connect` rejected with
 * @example
 * natsErrorCode(new Error('x', { cause: Object.assign(new Error(), { code: 'ECONNREFUSED' }) })); // 'ECONNREFUSED'
 */
export function natsErrorCode(error: unknown): string {
  if (!(error instanceof Error)) return 'UNKNOWN';
  const socketCode = (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  if (typeof socketCode === 'string') return socketCode;
  const message = error.message.toLowerCase();
  if (error.name === 'AuthorizationError') {
    if (message.includes('authentication timeout')) return 'AUTHENTICATION_TIMEOUT';
    if (message.includes('authorization violation')) return 'AUTHORIZATION_VIOLATION';
  }
  if (error.name === 'TimeoutError') return 'HANDSHAKE_TIMEOUT';
  return error.name;
}

function checkOptions(retry: ConnectRetryOptions): Required<Omit<ConnectRetryOptions, 'signal'>> {
  const { giveUpAfterMs, handshakeTimeoutMs = DEFAULT_HANDSHAKE_TIMEOUT_MS, retryDelaysMs = DEFAULT_RETRY_DELAYS_MS, logger = silentLogger } = retry;
  if (typeof giveUpAfterMs !== 'number' || Number.isNaN(giveUpAfterMs) || giveUpAfterMs < 0) {
    throw new TypeError(`connectWithRetry: giveUpAfterMs must be a non-negative number or Infinity, got ${String(giveUpAfterMs)}`);
  }
  if (!Number.isInteger(handshakeTimeoutMs) || handshakeTimeoutMs < 1) {
    throw new TypeError(`connectWithRetry: handshakeTimeoutMs must be a positive integer, got ${String(handshakeTimeoutMs)}`);
  }
  if (!Array.isArray(retryDelaysMs) || retryDelaysMs.length === 0 || !retryDelaysMs.every((ms) => Number.isInteger(ms) && ms >= 0)) {
    throw new TypeError(`connectWithRetry: retryDelaysMs must be a non-empty array of non-negative integers, got ${JSON.stringify(retryDelaysMs)}`);
  }
  return { giveUpAfterMs, handshakeTimeoutMs, retryDelaysMs, logger };
}

/**
 * Makes the first connection to NATS, retrying until `giveUpAfterMs`: a server that is not up
 * yet, or too busy to finish the handshake in time, is tried again after a short wait, with one
 * warn line per attempt naming the failure's {@link natsErrorCode}. Refused credentials are not
 * retried. Once connected, reconnects follow `options` (the client's own policy), except that
 * authentication errors in a row do not end them unless `ignoreAuthErrorAbort: false` is passed.
 *
 * @param options - the client's connection options (`servers`, `name`, `user`, `pass`, reconnect policy)
 * @param retry - the bound, the per-attempt handshake timeout, the waits, a logger, an abort signal
 * @returns the connection
 * @throws TypeError for invalid retry options
 * @throws EventError `CONNECT_FAILED` when the bound passes, the credentials are refused, or `signal` aborts;
 *   the message names the servers, the attempts and the last failure's code
 * @example
 * const nc = await connectWithRetry({ servers: ['nats://127.0.0.1:4222'], name: 'veto-tickets', maxReconnectAttempts: -1 }, { giveUpAfterMs: 60_000, logger });
 */
export async function connectWithRetry(options: NodeConnectionOptions, retry: ConnectRetryOptions): Promise<NatsConnection> {
  const { giveUpAfterMs, handshakeTimeoutMs, retryDelaysMs, logger } = checkOptions(retry);
  const servers = Array.isArray(options.servers) ? options.servers.join(',') : (options.servers ?? 'nats://127.0.0.1:4222');
  const startedAt = Date.now();
  const failed = (attempts: number, lastCode: string, reason: string, cause: unknown): EventError => {
    const elapsedMs = Date.now() - startedAt;
    logger.error({ code: 'CONNECT_FAILED', servers, attempts, lastCode, elapsedMs }, `cannot connect to NATS: ${reason}`);
    return new EventError('CONNECT_FAILED', `cannot connect to NATS at ${servers}: ${reason} (${attempts} attempts in ${elapsedMs} ms, last: ${lastCode})`, { cause });
  };
  for (let attempt = 1; ; attempt++) {
    const remainingMs = startedAt + giveUpAfterMs - Date.now();
    try {
      // The client would retry on its own with waitOnFirstConnect, but silently, without a bound,
      // and it gives up for good after two authentication errors in a row.
      // ignoreAuthErrorAbort: a reconnect cut off twice by the server's authentication timeout (a
      // busy machine) would otherwise close the connection for good; the caller can still opt out.
      const nc = await connect({
        ignoreAuthErrorAbort: true,
        ...options,
        waitOnFirstConnect: false,
        timeout: Math.max(1, Math.min(handshakeTimeoutMs, remainingMs)),
      });
      logger.info({ server: nc.getServer(), attempts: attempt, elapsedMs: Date.now() - startedAt }, 'connected to NATS');
      return nc;
    } catch (error) {
      const code = natsErrorCode(error);
      if (code === 'AUTHORIZATION_VIOLATION') throw failed(attempt, code, 'the server refused the credentials (check NATS_USER and NATS_PASSWORD)', error);
      if (retry.signal?.aborted) throw failed(attempt, code, 'stopped', error);
      const leftMs = startedAt + giveUpAfterMs - Date.now();
      if (leftMs <= 0) throw failed(attempt, code, `gave up after ${giveUpAfterMs} ms`, error);
      const retryInMs = Math.min(retryDelaysMs[Math.min(attempt, retryDelaysMs.length) - 1] ?? 0, leftMs);
      logger.warn({ servers, attempt, code, retryInMs, err: error }, 'NATS connection attempt failed; retrying');
      await delay(retryInMs, retry.signal);
      if (retry.signal?.aborted) throw failed(attempt, code, 'stopped', error);
    }
  }
}
