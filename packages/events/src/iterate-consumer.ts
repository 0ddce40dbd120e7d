import { type NatsConnection, NoRespondersError, TimeoutError } from '@nats-io/nats-core';
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { EventError } from './errors';

/**
 * Whether a JetStream API request failed for want of an answer rather than with one: it timed out
 * (sent to a server that was killed, or JetStream too busy recovering its store to reply), or
 * nobody answered (the server is back, its JetStream not yet). While the connection is open, the
 * next attempt may succeed; an answer such as "stream not found" does not change by asking again.
 *
 * @param error - what a JetStream request rejected with
 * @returns true for a timeout or no responders
 * @example
 * if (isUnanswered(error) && !nc.isClosed()) await retryLater();
 */
export function isUnanswered(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  // The JetStream client wraps "no responders" twice (JetStreamNotEnabled, then RequestError), and exports neither wrapper.
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof NoRespondersError) return true;
  }
  return false;
}

/** What a subscription plugs into {@link iterateConsumer}. */
export interface ConsumerIteration<T> {
  nc: NatsConnection;
  /** The consumer's messages, once the subscription has set it up; `undefined` when it stopped first (the iteration ends). */
  messages: Promise<ConsumerMessages | undefined>;
  /** Turns a message into the item to yield, or `undefined` to skip it. */
  read(msg: JsMsg): T | undefined;
  /** Runs after the loop body has finished with a message (or after a skipped one). */
  handled?(msg: JsMsg): void;
  /** Runs when the iteration starts waiting on a consumer's messages, before the first of them. */
  waiting?(): void;
  /**
   * Asked when the consumer's messages end while the connection is open: the messages of a
   * replacement consumer to go on with, or `undefined` to end. Ends at once when omitted.
   */
  next?(): Promise<ConsumerMessages | undefined>;
  /** Records an unrecoverable failure and returns the coded error to throw. */
  fail(cause: unknown): EventError;
  /** Ends the subscription; called however the iteration ends. */
  stop(): Promise<void>;
}

/**
 * The shared iteration of fan-out and work-queue subscriptions: yields what `read` returns,
 * goes on with the replacement `next` offers when a consumer's messages end, stops the
 * subscription when the loop is left early, and turns a consumer failure or a connection
 * closed by an error into the subscription's coded failure.
 *
 * @param iteration - the subscription's hooks
 * @throws EventError from `fail` (`SUBSCRIPTION_FAILED`) when the consumer or the connection fails
 * @example
 * [Symbol.asyncIterator]() { return iterateConsumer({ nc, messages, read, fail, stop }); }
 */
export async function* iterateConsumer<T>(iteration: ConsumerIteration<T>): AsyncGenerator<T> {
  let messages: ConsumerMessages | undefined;
  try {
    messages = await iteration.messages;
  } catch (cause) {
    throw iteration.fail(cause);
  }
  let completed = false;
  try {
    while (messages !== undefined) {
      iteration.waiting?.();
      for await (const msg of messages) {
        const item = iteration.read(msg);
        if (item !== undefined) yield item;
        iteration.handled?.(msg);
      }
      messages = iteration.nc.isClosed() ? undefined : await iteration.next?.();
    }
    completed = true;
  } catch (cause) {
    throw iteration.fail(cause);
  } finally {
    // Leaving the loop early (break, throw in the body) ends the subscription too.
    if (!completed) await iteration.stop();
  }
  // The consumer's iterator also ends when the connection closes; a close caused by an error is a failure.
  const closedWith = iteration.nc.isClosed() ? await iteration.nc.closed() : undefined;
  if (closedWith instanceof Error) throw iteration.fail(closedWith);
  await iteration.stop();
}
