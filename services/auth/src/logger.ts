import pino, { type Logger } from 'pino';
import type { Config } from './config';

/**
 * The service's JSON logger. Nothing logs credentials on purpose; the redaction list
 * is a second line of defence should a request, body or header object ever be logged.
 *
 * @param level - pino level from `LOG_LEVEL`
 * @returns the logger
 * @example
 * const logger = createLogger(config.logLevel);
 */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: { service: 'auth' },
    redact: {
      paths: [
        'password',
        '*.password',
        'refreshToken',
        '*.refreshToken',
        'accessToken',
        '*.accessToken',
        'passwordHash',
        '*.passwordHash',
        'headers.authorization',
        'headers.cookie',
        '*.headers.authorization',
        '*.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
