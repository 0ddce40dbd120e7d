import { ServiceError } from '@veto/service-kit';

/**
 * Every stable error code the signals service produces, as data so documentation and tests can
 * enumerate them. The HTTP edge maps each code to a status once
 * (`entry-points/http/problem-details.ts`); clients and tests rely on the code, never on the message.
 * `UNSUPPORTED_EVENT_TYPE` and `SUBJECT_EMAIL_UNKNOWN` come from the SET encoder, never from a
 * client's request: should one reach the HTTP edge it is our failure, a 500.
 */
export const SIGNALS_ERROR_CODES = Object.freeze([
  'NOT_FOUND',
  'NOT_IMPLEMENTED_YET',
  'UNSUPPORTED_EVENT_TYPE',
  'SUBJECT_EMAIL_UNKNOWN',
  'CONFIG_INVALID',
  'INTERNAL',
  'RECEIVER_UNAUTHORIZED',
  // -- receivers and stream management codes
  'STREAM_NOT_FOUND',
  'STREAM_READ_ONLY_FIELD',
  'STREAM_DELIVERY_INVALID',
  'STREAM_DISABLED',
  'VERIFICATION_TOO_FREQUENT',
  'RECEIVER_NOT_FOUND',
  // -- end of receivers and stream management codes

  // -- delivery codes
  'POLL_REQUEST_INVALID',
  // -- end of delivery codes
] as const);

/** A stable error code of the signals service. */
export type SignalsErrorCode = (typeof SIGNALS_ERROR_CODES)[number];

/**
 * Base class of every error the signals service throws on purpose. `ConfigError` comes from
 * `@veto/service-kit` and carries a code of this union too.
 *
 * @example
 * throw new SignalsError('UNSUPPORTED_EVENT_TYPE', 'No Security Event Token for user.renamed');
 */
export class SignalsError extends ServiceError<SignalsErrorCode> {}

export { ConfigError } from '@veto/service-kit';
