import type { NatsConnection } from '@nats-io/nats-core';
import { ensureStreams } from '../ensure-streams';
import { EventPublisher } from '../event-publisher';
import { uniqueNames } from './unique-names';

/** A private event stream for one fan-out test, its publisher, and the subscription options naming it. */
export async function fanOutStream(nc: NatsConnection) {
  const names = uniqueNames();
  await ensureStreams(nc, names);
  const publisher = new EventPublisher(nc, { subjectPrefix: names.subjectPrefix });
  return { names, publisher, options: { stream: names.name, subjectPrefix: names.subjectPrefix } };
}
