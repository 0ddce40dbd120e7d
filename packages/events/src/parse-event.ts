import { z } from 'zod';
import { EventError } from './errors';
import { EVENT_DATA_SCHEMAS, EVENT_VERSION, envelopeSchema, isEventType, type VetoEvent } from './event-schemas';

const decoder = new TextDecoder('utf-8', { fatal: true });

function toObject(input: unknown): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  let text: string;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input);
  } catch (cause) {
    throw new EventError('EVENT_MALFORMED', 'event bytes are not valid UTF-8', { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EventError('EVENT_MALFORMED', 'event is not valid JSON', { cause });
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/**
 * Validates an incoming event envelope and its payload.
 *
 * Checks run from the outside in (JSON, envelope, type, version, data), so the code
 * names the first thing that is wrong.
 *
 * @param input - an object, a JSON string, or the UTF-8 JSON bytes of a message
 * @returns the event, with unknown fields stripped
 * @throws EventError `EVENT_MALFORMED` (not JSON, not an envelope), `EVENT_UNKNOWN_TYPE`,
 *   `EVENT_UNSUPPORTED_VERSION` (version other than 1), `EVENT_INVALID_PAYLOAD` (data does not match the type's schema)
 * @example
 * const event = parseEvent(msg.data);
 * if (event.type === 'user.banned') cache.revokeUser(event.data.userId, new Date(event.data.revokedAt));
 */
export function parseEvent(input: unknown): VetoEvent {
  const envelope = envelopeSchema.safeParse(toObject(input));
  if (!envelope.success) {
    throw new EventError('EVENT_MALFORMED', `event envelope is invalid: ${describe(envelope.error)}`, { cause: envelope.error });
  }
  const { type, version } = envelope.data;
  if (!isEventType(type)) throw new EventError('EVENT_UNKNOWN_TYPE', `unknown event type ${JSON.stringify(type)}`);
  if (version !== EVENT_VERSION) {
    throw new EventError('EVENT_UNSUPPORTED_VERSION', `event ${type} has version ${version}, only ${EVENT_VERSION} is supported`);
  }
  const data = EVENT_DATA_SCHEMAS[type].safeParse(envelope.data.data);
  if (!data.success) {
    throw new EventError('EVENT_INVALID_PAYLOAD', `invalid ${type} data: ${describe(data.error)}`, { cause: data.error });
  }
  return { ...envelope.data, type, version: EVENT_VERSION, data: data.data } as VetoEvent;
}
