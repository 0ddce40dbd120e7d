import type { NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { EventError } from './errors';
import type { VetoEvent } from './event-schemas';
import { parseEvent } from './parse-event';
import { assertSubjectPrefix, DEFAULT_SUBJECT_PREFIX, subjectFor } from './subjects';

/** Options of {@link EventPublisher}. */
export interface EventPublisherOptions {
  /** The subject prefix the event stream captures; `auth` by default. */
  subjectPrefix?: string;
  /** How long to wait for the JetStream acknowledgement; 5 s by default. */
  timeoutMs?: number;
}

/** What JetStream acknowledged for a publish. */
export interface PublishResult {
  /** The stream sequence of the stored event (of the first copy when `duplicate`). */
  seq: number;
  /** True when the stream already held an event with this id within the duplicate window. */
  duplicate: boolean;
}

/**
 * Publishes validated events to JetStream and waits until they are stored.
 *
 * @example
 * const publisher = new EventPublisher(nc);
 * const { seq } = await publisher.publish(createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth' }));
 */
export class EventPublisher {
  readonly #js: JetStreamClient;
  readonly #prefix: string;
  readonly #timeoutMs: number;

  /**
   * @param nc - a connected NATS connection
   * @param options - `subjectPrefix`, `timeoutMs`
   * @throws TypeError on invalid options
   */
  constructor(nc: NatsConnection, options: EventPublisherOptions = {}) {
    this.#prefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    assertSubjectPrefix(this.#prefix);
    this.#timeoutMs = options.timeoutMs ?? 5000;
    if (!Number.isInteger(this.#timeoutMs) || this.#timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive integer, got ${options.timeoutMs}`);
    this.#js = jetstream(nc, { timeout: this.#timeoutMs });
  }

  /**
   * Validates the event, then publishes it with `Nats-Msg-Id` set to its id, so a
   * retried publish of the same event is stored once.
   *
   * @param event - the event; validated again here because callers may build it by hand
   * @returns the stream sequence and whether the stream saw it as a duplicate
   * @throws EventError `EVENT_*` when the event is invalid (nothing is sent); `PUBLISH_FAILED` when no
   *   acknowledgement arrives (NATS down, no stream, timeout) — the event may or may not be stored, so retry with the same id
   * @example
   * await publisher.publish(event);
   */
  async publish(event: VetoEvent): Promise<PublishResult> {
    const valid = parseEvent(event);
    const subject = subjectFor(valid.type, this.#prefix);
    try {
      const ack = await this.#js.publish(subject, JSON.stringify(valid), { msgID: valid.id, timeout: this.#timeoutMs });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (cause) {
      throw new EventError('PUBLISH_FAILED', `could not publish ${valid.type} ${valid.id} to ${subject}: ${(cause as Error).message}`, { cause });
    }
  }
}
