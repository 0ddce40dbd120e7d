/** Every code an {@link EventError} can carry; the README's error table lists each one. */
export const EVENT_ERROR_CODES = [
  'EVENT_MALFORMED',
  'EVENT_UNKNOWN_TYPE',
  'EVENT_UNSUPPORTED_VERSION',
  'EVENT_INVALID_PAYLOAD',
  'PUBLISH_FAILED',
  'STREAM_SETUP_FAILED',
  'SUBSCRIPTION_FAILED',
  'DEAD_LETTER_FAILED',
  'CONNECT_FAILED',
  'RECEIPT_MALFORMED',
] as const;

/** A stable, machine-readable reason for an event or bus failure. */
export type EventErrorCode = (typeof EVENT_ERROR_CODES)[number];

/**
 * The one error class of @veto/events: a bad event, or a bus operation that failed.
 * Callers branch on `code`, never on the message.
 *
 * @param code - the stable reason
 * @param message - a human-readable detail
 * @param options - `cause` is passed through to `Error`
 * @example
 * try {
 *   parseEvent(bytes);
 * } catch (error) {
 *   if (error instanceof EventError && error.code === 'EVENT_UNSUPPORTED_VERSION') skip();
 *   else throw error;
 * }
 */
export class EventError extends Error {
  readonly code: EventErrorCode;

  constructor(code: EventErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * Tells whether a value is an {@link EventError}, optionally with a given code.
 *
 * @param value - anything caught
 * @param code - when given, the error must carry this code
 * @example
 * if (isEventError(err, 'EVENT_MALFORMED')) stats.malformed++;
 */
export function isEventError(value: unknown, code?: EventErrorCode): value is EventError {
  return value instanceof EventError && (code === undefined || value.code === code);
}
