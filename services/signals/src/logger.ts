import pino, { type Logger } from 'pino';
import type { Config } from './config';

/**
 * The service's JSON logger. Nothing logs credentials on purpose; the redaction list is a second
 * line of defence should a request or header object ever be logged (receivers will send bearer
 * tokens to the stream management endpoints).
 *
 * @param config - `LOG_LEVEL` and `VETO_ENV`
 * @returns the logger
 * @example
 * const logger = createLogger(config);
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'env'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'signals', env: config.env },
    redact: {
      paths: ['headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie'],
      censor: '[redacted]',
    },
  });
}
