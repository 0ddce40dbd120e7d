import { randomUUID } from 'node:crypto';
import { EVENT_VERSION, type EventOf, type EventType } from './event-schemas';
import { parseEvent } from './parse-event';

/** Options of {@link createEvent}. */
export interface CreateEventOptions {
  /** The producing service, for example `auth`. */
  source: string;
  /** The event id, sent as `Nats-Msg-Id`; a random UUID by default. Reuse it when retrying a publish. */
  id?: string;
  /** When the fact happened; now by default. */
  occurredAt?: Date;
}

/**
 * Builds a validated event envelope.
 *
 * @param type - the event type
 * @param data - the payload of that type
 * @param options - `source` (required), `id`, `occurredAt`
 * @returns the event, exactly as {@link parseEvent} would return it after a round trip
 * @throws TypeError when `source` is empty or `occurredAt` is not a valid date (misuse);
 *   EventError `EVENT_INVALID_PAYLOAD` when the data does not match the type's schema, `EVENT_MALFORMED` for an unusable `id`
 * @example
 * const event = createEvent('user.banned', { userId: 'u1', revokedAt: new Date().toISOString() }, { source: 'auth' });
 */
export function createEvent<T extends EventType>(type: T, data: EventOf<T>['data'], options: CreateEventOptions): EventOf<T> {
  if (typeof options?.source !== 'string' || options.source.length === 0) throw new TypeError('createEvent needs a non-empty source');
  const occurredAt = options.occurredAt ?? new Date();
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) throw new TypeError('occurredAt must be a valid Date');
  return parseEvent({
    id: options.id ?? randomUUID(),
    type,
    version: EVENT_VERSION,
    occurredAt: occurredAt.toISOString(),
    source: options.source,
    data,
  }) as EventOf<T>;
}
