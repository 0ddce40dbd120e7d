import { ServiceError } from '@veto/service-kit';

/** Every stable error code of the local stack: the gateway's HTTP codes and the launcher's start-up codes. */
export const LOCAL_STACK_ERROR_CODES = Object.freeze([
  'NOT_FOUND',
  'UPSTREAM_UNAVAILABLE',
  'CONFIG_INVALID',
  'NATS_SERVER_MISSING',
  'CHILD_EXITED',
  'NOT_READY',
  'DEMO_FAILED',
] as const);

/** A stable error code of the local stack. */
export type LocalStackErrorCode = (typeof LOCAL_STACK_ERROR_CODES)[number];

/**
 * Base class of every error the local stack throws on purpose. `ConfigError` (`CONFIG_INVALID`,
 * naming the variable) comes from `@veto/service-kit`.
 *
 * @example
 * throw new LocalStackError('NOT_READY', 'auth did not answer /readyz with 200 within 120 s');
 */
export class LocalStackError extends ServiceError<LocalStackErrorCode> {}

export { ConfigError } from '@veto/service-kit';
