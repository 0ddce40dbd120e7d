import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createEvent } from './create-event';
import { ensureStreams } from './ensure-streams';
import { EventPublisher } from './event-publisher';
import { eventually } from './eventually';
import { subscribeFanOut, type DeliveredEvent, type FanOutSubscription } from './fan-out-subscription';
import type { Logger } from './logger';
import { startNatsCluster, type NatsClusterHandle } from './nats-cluster-harness';
import { collect, type Collector } from './test-support/collect';
import { uniqueNames } from './test-support/unique-names';

const banOf = (userId: string) => createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'cluster-test' });

// The subscriber's connection stays on one server while the server holding its ephemeral,
// single-replica consumer stops: the client is never disconnected, so only the subscription's
// watch of the consumer's heartbeats brings the consumer back.
describe('subscribeFanOut in a 3-node JetStream cluster', () => {
  let cluster: NatsClusterHandle;
  let pubNc: NatsConnection;
  const connections: NatsConnection[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    pubNc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([pubNc, ...connections].map((nc) => nc?.close()));
    await cluster?.cleanup();
  });

  it('recreates a consumer lost with its server after the last delivered sequence, and is not following meanwhile', async () => {
    const names = uniqueNames();
    await eventually(() => ensureStreams(pubNc, { ...names, replicas: 3 }));
    const publisher = new EventPublisher(pubNc, { subjectPrefix: names.subjectPrefix });
    for (const id of ['before-1', 'before-2']) await eventually(() => publisher.publish(banOf(id)));
    // The subscription's `following` at the moment it logs each line (the loss, the recreation).
    const following: { message: string; following: boolean }[] = [];
    const current: { sub?: FanOutSubscription; events?: Collector<DeliveredEvent> } = {};
    const record = (_context: object, message: string): void => {
      if (current.sub) following.push({ message, following: current.sub.following });
    };
    const logger: Logger = { debug: record, info: record, warn: record, error: record };

    // The server places the consumer; start over until it is not on the server the subscriber is connected to.
    let host = -1;
    for (let attempt = 0; attempt < 12 && host === -1; attempt++) {
      const nc = await connect({ servers: cluster.urls[attempt % 3], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
      connections.push(nc);
      current.sub = subscribeFanOut(nc, { stream: names.name, subjectPrefix: names.subjectPrefix, startTime: new Date(0), logger, idleHeartbeatMs: 1_000 });
      current.events = collect(current.sub);
      await current.sub.caughtUp;
      const [{ leader } = { leader: -1 }] = await cluster.consumerLeaders(names.name);
      if (leader !== attempt % 3) host = leader;
      else await current.sub.stop();
    }
    const { sub, events } = current;
    if (host === -1 || sub === undefined || events === undefined) throw new Error('the consumer was placed on the connected server 12 times in a row');
    expect(sub.following).toBe(true);

    await cluster.stop(host);
    for (const id of ['after-1', 'after-2']) await eventually(() => publisher.publish(banOf(id)));

    // Generous: this proves recovery, it does not time it.
    const delivered = await eventually(async () => {
      if (events.items.length < 4) throw new Error(`${events.items.length} of 4 events delivered`);
      return events.items;
    }, 60_000);
    expect(delivered.map(({ event }) => event.data.userId)).toEqual(['before-1', 'before-2', 'after-1', 'after-2']);
    expect(delivered.map(({ seq }) => seq)).toEqual([1, 2, 3, 4]);
    expect(following.find(({ message }) => message.startsWith('fan-out consumer lost'))?.following).toBe(false);
    expect(following.find(({ message }) => message.startsWith('fan-out consumer recreated'))?.following).toBe(true);
    expect(sub.following).toBe(true);
    expect(sub.stats).toEqual({ delivered: 4, malformed: 0, lastSeq: 4 });

    await sub.stop();
    await expect(sub.closed).resolves.toBeUndefined();
    // The lost consumer may still be listed, without a leader, until its server comes back and drops it.
    expect((await cluster.consumerLeaders(names.name)).filter(({ leader }) => leader !== -1)).toEqual([]);
  }, 180_000);
});
