import { randomBytes } from 'node:crypto';
import { createEvent, ensureStreams, EventPublisher, type EventOf, type EventType, type NatsConnection, type VetoEvent } from '@veto/events';

/** A test's private AUTH-like stream, dead-letter stream and a publisher on them. */
export interface DeliveryTestBus {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly deadLetterStream: string;
  readonly deadLetterPrefix: string;
  /** Publishes an event as the auth service would and returns it. */
  publish<T extends EventType>(type: T, data: EventOf<T>['data']): Promise<EventOf<T>>;
  /** Publishes an event object as is. */
  publishEvent(event: VetoEvent): Promise<void>;
}

/**
 * Creates random event and dead-letter streams on a test nats-server, so tests never see each
 * other's events, and a validating publisher for them.
 *
 * @example
 * const bus = await createDeliveryTestBus(nc);
 * await bus.publish('user.banned', { userId, revokedAt: new Date().toISOString() });
 */
export async function createDeliveryTestBus(nc: NatsConnection): Promise<DeliveryTestBus> {
  const tag = randomBytes(4).toString('hex');
  const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth`, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` };
  await ensureStreams(nc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: names.deadLetterStream, deadLetterPrefix: names.deadLetterPrefix });
  const publisher = new EventPublisher(nc, { subjectPrefix: names.subjectPrefix });
  return {
    ...names,
    publishEvent: async (event) => {
      await publisher.publish(event);
    },
    publish: async (type, data) => {
      const event = createEvent(type, data, { source: 'auth' });
      await publisher.publish(event);
      return event;
    },
  };
}
