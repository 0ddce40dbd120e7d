import { randomBytes } from 'node:crypto';
import { connect, createEvent, ensureStreams, EventPublisher, type Logger, type NatsConnection } from '@veto/events';
import { eventually, startNatsCluster, type NatsClusterHandle } from '@veto/events/testing';
import { RevocationCache } from './revocation-cache';
import { createRevocationFeed, type AppliedRevocation, type RevocationFeed, type RevocationFeedReason, type RevocationFeedState } from './revocation-feed';

const TTL_S = 900;
/** Generous on purpose: recovery takes two missed 5 s heartbeats plus a leader election; this proves recovery, it does not time it. */
const DELIVERY_BOUND_MS = 60_000;

const ban = (userId: string) => createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'failover-test' });

/** A log line of the feed, with the feed's state at the moment it was written. */
interface StateAtLine {
  message: string;
  state: RevocationFeedState;
  reason: RevocationFeedReason | undefined;
}

// A 3-node cluster; the feed's connection stays on one server while the server holding its
// (ephemeral, single-replica) consumer stops. The client is never disconnected, so only the
// subscription's own watch of the consumer's heartbeats can bring it back.
describe('RevocationFeed in a 3-node JetStream cluster', () => {
  let cluster: NatsClusterHandle;
  let pubNc: NatsConnection;
  const connections: NatsConnection[] = [];
  const feeds: RevocationFeed[] = [];

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    pubNc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(feeds.map((feed) => feed.stop()));
    await Promise.all([pubNc, ...connections].map((nc) => nc?.close()));
    await cluster?.cleanup();
  });

  /** Starts a feed connected to server `connectedTo` only, recording its state at every line it logs. */
  async function startFeed(connectedTo: number, names: { stream: string; subjectPrefix: string }) {
    const nc = await connect({ servers: cluster.urls[connectedTo], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    connections.push(nc);
    const lines: StateAtLine[] = [];
    const applied: AppliedRevocation[] = [];
    // The logger is created before the feed it reports on.
    const current: { feed?: RevocationFeed } = {};
    const record = (_context: object, message: string): void => {
      if (current.feed) lines.push({ message, state: current.feed.state, reason: current.feed.reason });
    };
    const logger: Logger = { debug: record, info: record, warn: record, error: record };
    const feed = createRevocationFeed({ nc, cache: new RevocationCache({ accessTokenTtlSeconds: TTL_S }), accessTokenTtlSeconds: TTL_S, ...names, logger });
    current.feed = feed;
    feeds.push(feed);
    feed.onApplied((event) => applied.push(event));
    await feed.ready;
    return { feed, lines, applied };
  }

  /** The server holding the stream's only consumer: the feed's. */
  async function consumerHost(stream: string): Promise<number> {
    const consumers = await cluster.consumerLeaders(stream);
    expect(consumers).toHaveLength(1);
    return consumers[0]?.leader ?? -1;
  }

  it('delivers every event once, in order, after the server holding its consumer stops, and is degraded until the consumer is recreated', async () => {
    const tag = randomBytes(4).toString('hex');
    const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
    await eventually(() =>
      ensureStreams(pubNc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq`, replicas: 3 }),
    );
    const publisher = new EventPublisher(pubNc, { subjectPrefix: names.subjectPrefix });
    for (const id of ['before-1', 'before-2']) await eventually(() => publisher.publish(ban(id)));

    // The server places the consumer; start over until it is not on the server the feed is connected to.
    let placed: { connectedTo: number; host: number; started: Awaited<ReturnType<typeof startFeed>> } | undefined;
    for (let attempt = 0; attempt < 12 && placed === undefined; attempt++) {
      const connectedTo = attempt % 3;
      const started = await startFeed(connectedTo, names);
      const host = await consumerHost(names.stream);
      if (host !== connectedTo) placed = { connectedTo, host, started };
      else await started.feed.stop();
    }
    if (placed === undefined) throw new Error('the consumer was placed on the connected server 12 times in a row');
    const { host, started } = placed;
    const { feed, lines, applied } = started;
    expect(applied.map((a) => a.event.data.userId)).toEqual(['before-1', 'before-2']);
    expect(feed.state).toBe('ready');

    await cluster.stop(host);
    const after = ['after-1', 'after-2', 'after-3'];
    for (const id of after) await eventually(() => publisher.publish(ban(id)));

    await eventually(async () => {
      if (applied.length < 5) throw new Error(`${applied.length} of 5 events applied`);
    }, DELIVERY_BOUND_MS);
    expect(applied.map((a) => a.event.data.userId)).toEqual(['before-1', 'before-2', ...after]);
    const seqs = applied.map((a) => a.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);

    const lost = lines.find((line) => line.message.startsWith('fan-out consumer lost'));
    const recreated = lines.find((line) => line.message.startsWith('fan-out consumer recreated; following the stream again'));
    expect([lost?.state, lost?.reason]).toEqual(['degraded', 'consumer-lost']);
    // Following again, but the events published meanwhile may not be applied yet: ready, or degraded as lagging until they are.
    expect([
      ['ready', undefined],
      ['degraded', 'lagging'],
    ]).toContainEqual([recreated?.state, recreated?.reason]);
    await eventually(async () => expect(feed.state).toBe('ready'));
  }, 180_000);
});
