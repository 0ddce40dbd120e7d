import { randomBytes } from 'node:crypto';
import { createEvent, ensureStreams, EventPublisher, type EventOf, type EventType, type NatsConnection, type VetoEvent } from '@veto/events';

/** Private stream and subject names for one test, so tests never see each other's events. */
export interface TestStreams {
  readonly stream: string;
  readonly subjectPrefix: string;
  readonly deadLetterStream: string;
  readonly deadLetterPrefix: string;
}

/** A test's private streams plus a publisher on them. */
export interface TestBus extends TestStreams {
  /**
   * Publishes an event as the auth service would and returns it.
   *
   * @param type - the event type
   * @param data - its data
   * @param occurredAt - defaults to now
   */
  publish<T extends EventType>(type: T, data: EventOf<T>['data'], occurredAt?: Date): Promise<EventOf<T>>;
  /** Publishes an event object as is (a redelivery or a duplicate with another id). */
  publishEvent(event: VetoEvent): Promise<void>;
}

/**
 * Creates random event and dead-letter streams on a test nats-server and a publisher for them.
 *
 * @param nc - a connection to the test server
 * @example
 * const bus = await createTestBus(nc);
 * await bus.publish('user.banned', { userId, revokedAt: new Date().toISOString() });
 */
export async function createTestBus(nc: NatsConnection): Promise<TestBus> {
  const tag = randomBytes(4).toString('hex');
  const streams: TestStreams = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth`, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` };
  await ensureStreams(nc, { name: streams.stream, subjectPrefix: streams.subjectPrefix, deadLetterStream: streams.deadLetterStream, deadLetterPrefix: streams.deadLetterPrefix });
  const publisher = new EventPublisher(nc, { subjectPrefix: streams.subjectPrefix });
  const publishEvent = async (event: VetoEvent) => {
    await publisher.publish(event);
  };
  return {
    ...streams,
    publishEvent,
    publish: async (type, data, occurredAt = new Date()) => {
      const event = createEvent(type, data, { source: 'auth', occurredAt });
      await publishEvent(event);
      return event;
    },
  };
}
