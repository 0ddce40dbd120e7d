import { ServiceError } from '@veto/service-kit';

/**
 * Every stable error code the tickets service itself produces, as data so documentation and
 * tests can enumerate them. Token and revocation codes (`TOKEN_*`, `REVOCATION_*`) come from
 * `@veto/auth-lib`. The HTTP edge maps each code to a status once
 * (`entry-points/http/problem-details.ts`); clients and tests rely on the code, never on the message.
 */
export const TICKETS_ERROR_CODES = Object.freeze([
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'NOT_FOUND',
  'CROSS_SITE_REQUEST',
  'TICKET_NOT_FOUND',
  'NOT_TICKET_OWNER',
  'VERSION_CONFLICT',
  'CONFIG_INVALID',
  'INTERNAL',
] as const);

/** A stable error code of the tickets service. */
export type TicketsErrorCode = (typeof TICKETS_ERROR_CODES)[number];

/**
 * Base class of every error the tickets service throws on purpose. `ValidationError` and
 * `ConfigError` come from `@veto/service-kit` and carry codes of this union too.
 *
 * @example
 * throw new TicketsError('TICKET_NOT_FOUND', `No ticket ${id}`);
 */
export class TicketsError extends ServiceError<TicketsErrorCode> {}

export { ConfigError, ValidationError, type FieldError } from '@veto/service-kit';
