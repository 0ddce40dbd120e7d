import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { createEvent, subjectFor, type NatsConnection } from '@veto/events';
import { headers } from '@nats-io/nats-core';

/** Publishes between flushes: each flush is one round trip that bounds what is in flight. */
const BATCH = 5_000;

/**
 * Fills a stream with `count` `user.banned` events (a distinct random user each, each its own
 * event id as `Nats-Msg-Id`), fast: plain NATS publishes into the stream's subject, a flush (one
 * round trip) every 5,000, instead of one JetStream acknowledgement per event. Completeness is
 * checked at the end: the stream must hold exactly `count` more messages. Every event is built
 * with `createEvent`, so it is exactly what the auth service would publish.
 *
 * @param nc - a connection to a JetStream server
 * @param options - how many, the stream and its subject prefix, and when the bans happened
 * @throws Error when the stream did not store every event
 * @example
 * await fillStreamWithBans(nc, { count: 10_000, stream: 'REPLAY', subjectPrefix: 'replay', occurredAt });
 */
export async function fillStreamWithBans(nc: NatsConnection, options: { count: number; stream: string; subjectPrefix: string; occurredAt: Date }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const before = (await jsm.streams.info(options.stream)).state.messages;
  const subject = subjectFor('user.banned', options.subjectPrefix);
  const revokedAt = options.occurredAt.toISOString();
  for (let i = 0; i < options.count; i += 1) {
    const event = createEvent('user.banned', { userId: randomUUID(), reason: 'bench', revokedAt }, { source: 'auth', occurredAt: options.occurredAt });
    const msgHeaders = headers();
    msgHeaders.set('Nats-Msg-Id', event.id);
    nc.publish(subject, JSON.stringify(event), { headers: msgHeaders });
    if ((i + 1) % BATCH === 0) await nc.flush();
  }
  await nc.flush();
  // The server stores what it has read asynchronously; wait until the count settles.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const stored = (await jsm.streams.info(options.stream)).state.messages - before;
    if (stored === options.count) return;
    if (Date.now() > deadline) throw new Error(`stream ${options.stream} stored ${stored} of ${options.count} events`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
