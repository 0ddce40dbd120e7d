import { createEvent, EVENT_DATA_SCHEMAS, subjectFor, type EventOf, type EventType } from '@veto/events';
import type { Database } from '../data-access/database';
import { insertOutboxEvent } from '../data-access/outbox-repository';

/** The `source` of every event this service publishes. */
export const EVENT_SOURCE = 'auth';

/**
 * The user's email as events carry it (`data.email`, for consumers that name users by email):
 * `{ email }`, or nothing for an address the event schema refuses (one stored before sign-up
 * checked addresses as strictly), which must not fail the revocation it would only annotate.
 *
 * @param email - the user row's email
 * @example
 * await recordEvent(tx, 'user.unbanned', { userId: user.id, ...eventEmail(user.email) }, now);
 */
export function eventEmail(email: string): { email?: string } {
  return EVENT_DATA_SCHEMAS['user.banned'].shape.email.safeParse(email).success ? { email } : {};
}

/**
 * Builds a validated event and writes it to the outbox, inside the caller's transaction:
 * the event exists exactly when the change it announces is committed. The relay publishes
 * it afterwards (call `context.onEventsRecorded()` once the transaction has committed).
 *
 * @param tx - the open transaction
 * @param type - the event type
 * @param data - its payload
 * @param occurredAt - the time of the change (the same instant written in the rows)
 * @returns the event, whose `id` is the outbox row id and the `Nats-Msg-Id`
 * @throws {EventError} `EVENT_INVALID_PAYLOAD` when the data does not match the type's schema
 * @example
 * const event = await recordEvent(tx, 'user.unbanned', { userId }, now);
 */
export async function recordEvent<T extends EventType>(tx: Database, type: T, data: EventOf<T>['data'], occurredAt: Date): Promise<EventOf<T>> {
  const event = createEvent(type, data, { source: EVENT_SOURCE, occurredAt });
  await insertOutboxEvent(tx, event, subjectFor(type));
  return event;
}
