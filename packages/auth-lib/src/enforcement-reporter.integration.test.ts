import { randomBytes } from 'node:crypto';
import {
  allReceiptsSubject,
  createEvent,
  ensureStreams,
  EventPublisher,
  MAX_RECEIPT_APPLIED,
  parseEnforcementReceipt,
  type EnforcementReceipt,
  type NatsConnection,
  type VetoEvent,
} from '@veto/events';
import { connectTo, eventually, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { createEnforcementReporter, type EnforcementReporter, type EnforcementReporterOptions } from './enforcement-reporter';
import { RevocationCache } from './revocation-cache';
import { createRevocationFeed, type AppliedRevocation, type RevocationFeed } from './revocation-feed';

const TTL_S = 900;
const source = 'auth-lib-test';
// Long enough that no heartbeat comes during a test: a receipt that arrives came from the batch path.
const NO_HEARTBEAT_MS = 3_600_000;

let server: NatsServerHandle;
const connections: NatsConnection[] = [];
const reporters: EnforcementReporter[] = [];
const feeds: RevocationFeed[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});
afterEach(async () => {
  await Promise.all(reporters.splice(0).map((reporter) => reporter.stop()));
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  await Promise.all(connections.splice(0).map((nc) => nc.close()));
});
afterAll(() => server.cleanup());

async function connect(): Promise<NatsConnection> {
  const nc = await connectTo(server);
  connections.push(nc);
  return nc;
}

const ban = (userId: string) => createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source });

/** Every receipt published on `veto.receipts.*` from now on by `service`, parsed, in arrival order. */
async function receiptsOf(service: string): Promise<EnforcementReceipt[]> {
  const nc = await connect();
  const receipts: EnforcementReceipt[] = [];
  const sub = nc.subscribe(allReceiptsSubject());
  void (async () => {
    for await (const msg of sub) {
      const receipt = parseEnforcementReceipt(msg.data);
      if (receipt.service === service) receipts.push(receipt);
    }
  })();
  // The server holds the subscription before anything is published.
  await nc.flush();
  return receipts;
}

/** Waits until the server has passed on everything `from` published before to the subscriber connections that flush after it. */
async function settle(from: NatsConnection): Promise<void> {
  await from.flush();
  await Promise.all(connections.map((nc) => nc.flush()));
}

/** A private stream and a feed over it, with a reporter for a service of its own, started before the feed applies anything. */
async function setup() {
  const tag = randomBytes(4).toString('hex');
  const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
  const service = `svc-${tag}`;
  const pubNc = await connect();
  await ensureStreams(pubNc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` });
  const publisher = new EventPublisher(pubNc, { subjectPrefix: names.subjectPrefix });
  const receipts = await receiptsOf(service);

  const startInstance = async (overrides: Partial<EnforcementReporterOptions> = {}) => {
    const nc = await connect();
    const feed = createRevocationFeed({ nc, cache: new RevocationCache({ accessTokenTtlSeconds: TTL_S }), accessTokenTtlSeconds: TTL_S, ...names });
    feeds.push(feed);
    const reporter = createEnforcementReporter({ nc, feed, service, instanceId: `host-${tag}-1`, intervalMs: NO_HEARTBEAT_MS, ...overrides });
    reporters.push(reporter);
    return { nc, feed, reporter };
  };
  return { service, publisher, receipts, startInstance };
}

const appliedIn = (receipts: readonly EnforcementReceipt[]) => receipts.flatMap((receipt) => receipt.applied);

/** A feed driven by hand: the test decides which events one turn of the event loop applies. */
function handDrivenFeed() {
  const listeners = new Set<(applied: AppliedRevocation) => void>();
  const stats = { applied: 0, malformed: 0, lastSeq: 0, resets: 0 };
  const feed: Pick<RevocationFeed, 'ready' | 'state' | 'reason' | 'stats' | 'onApplied'> = {
    ready: Promise.resolve(),
    state: 'ready',
    reason: undefined,
    stats,
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  /** Applies the events synchronously, one after another, as the feed's loop does with messages that arrived together. */
  const apply = (events: readonly VetoEvent[]) => {
    for (const event of events) {
      stats.applied += 1;
      stats.lastSeq += 1;
      for (const listener of listeners) listener({ event, seq: stats.lastSeq, lagMs: 0, live: true, changed: true });
    }
  };
  return { feed, apply };
}

describe('EnforcementReporter with a real nats-server', () => {
  it('reports a live ban with its event id, stream sequence and apply time right after applying it, without waiting for a heartbeat', async () => {
    const { service, publisher, receipts, startInstance } = await setup();
    const { feed } = await startInstance();
    await feed.ready;

    const event = ban('u1');
    const { seq } = await publisher.publish(event);

    const receipt = await eventually(async () => {
      const found = receipts.find((each) => each.applied.some((entry) => entry.eventId === event.id));
      if (found === undefined) throw new Error('no receipt names the ban yet');
      return found;
    });
    expect(receipt).toMatchObject({ v: 1, service, state: 'ready', reason: null, lastSeq: seq, lastEventId: event.id, intervalMs: NO_HEARTBEAT_MS });
    expect(receipt.applied).toEqual([{ eventId: event.id, seq, type: 'user.banned', occurredAt: event.occurredAt, appliedAt: receipt.lastAppliedAt, live: true }]);
    // Same clock for the event and the apply: the apply cannot come before the commit.
    const afterMs = Date.parse(receipt.applied[0]?.appliedAt ?? '') - Date.parse(event.occurredAt);
    expect(afterMs).toBeGreaterThanOrEqual(0);
    expect(receipt.lagMs).toBe(afterMs);
  });

  it('reports the events replayed at start with live false, a first receipt while catching up, and one once ready', async () => {
    const { publisher, receipts, startInstance } = await setup();
    const events = [ban('r1'), ban('r2'), ban('r3')];
    const seqs: number[] = [];
    for (const event of events) seqs.push((await publisher.publish(event)).seq);

    const { feed } = await startInstance();
    await feed.ready;

    await eventually(async () => expect(receipts.some((receipt) => receipt.state === 'ready')).toBe(true));
    expect(appliedIn(receipts).map(({ eventId, seq, live }) => ({ eventId, seq, live }))).toEqual(
      events.map((event, index) => ({ eventId: event.id, seq: seqs[index], live: false })),
    );
    expect(receipts[0]?.state).toBe('catching-up');
    // A replayed event's age is not a propagation lag.
    expect(receipts.every((receipt) => receipt.lagMs === null)).toBe(true);

    const live = ban('l1');
    await publisher.publish(live);
    await eventually(async () => expect(appliedIn(receipts).at(-1)).toMatchObject({ eventId: live.id, live: true }));
  });

  it("sends heartbeats with the feed's state, reason and last sequence, and a last receipt with state stopped", async () => {
    const { publisher, receipts, startInstance } = await setup();
    const { nc, feed, reporter } = await startInstance({ intervalMs: 50 });
    await feed.ready;
    const event = ban('u1');
    const { seq } = await publisher.publish(event);

    await eventually(async () => {
      const heartbeats = receipts.filter((receipt) => receipt.applied.length === 0 && receipt.lastSeq === seq);
      expect(heartbeats.length).toBeGreaterThanOrEqual(3);
      expect(heartbeats.at(-1)).toMatchObject({ state: 'ready', reason: null, lastEventId: event.id, intervalMs: 50 });
    });

    await reporter.stop();
    await settle(nc);
    expect(receipts.at(-1)).toMatchObject({ state: 'stopped', reason: null, lastSeq: seq, lastEventId: event.id, applied: [] });
    expect(reporter.stats.failed).toBe(0);
  });

  it('sends what is pending before the stopped receipt', async () => {
    const nc = await connect();
    const service = `svc-${randomBytes(4).toString('hex')}`;
    const receipts = await receiptsOf(service);
    const { feed, apply } = handDrivenFeed();
    const reporter = createEnforcementReporter({ nc, feed, service, instanceId: 'i-1', intervalMs: NO_HEARTBEAT_MS });
    await feed.ready;
    const event = ban('u1');

    apply([event]);
    await reporter.stop();
    await settle(nc);

    expect(receipts.slice(-2).map(({ state, applied }) => [state, applied.map((entry) => entry.eventId)])).toEqual([
      ['ready', [event.id]],
      ['stopped', []],
    ]);
  });

  it(`splits more than ${String(MAX_RECEIPT_APPLIED)} events applied together into several receipts, in order, each with its own position`, async () => {
    const nc = await connect();
    const service = `svc-${randomBytes(4).toString('hex')}`;
    const receipts = await receiptsOf(service);
    const { feed, apply } = handDrivenFeed();
    const now = Date.parse('2026-01-02T03:04:05.678Z');
    const reporter = createEnforcementReporter({ nc, feed, service, instanceId: 'i-1', intervalMs: NO_HEARTBEAT_MS, clock: () => now });
    reporters.push(reporter);
    await feed.ready;
    await settle(nc);
    const before = receipts.length;
    const events = Array.from({ length: 2 * MAX_RECEIPT_APPLIED + 1 }, (_, index) => ban(`u${String(index)}`));

    apply(events);
    await eventually(async () => expect(appliedIn(receipts)).toHaveLength(events.length));

    const batch = receipts.slice(before);
    expect(batch.map((receipt) => receipt.applied.length)).toEqual([MAX_RECEIPT_APPLIED, MAX_RECEIPT_APPLIED, 1]);
    expect(appliedIn(batch).map((entry) => entry.eventId)).toEqual(events.map((event) => event.id));
    expect(batch.map((receipt) => [receipt.lastSeq, receipt.lastEventId])).toEqual(
      [MAX_RECEIPT_APPLIED, 2 * MAX_RECEIPT_APPLIED, 2 * MAX_RECEIPT_APPLIED + 1].map((seq) => [seq, events[seq - 1]?.id]),
    );
    // Every time it writes comes from the injected clock.
    const written = batch.flatMap((receipt) => [receipt.sentAt, receipt.lastAppliedAt, ...receipt.applied.map((entry) => entry.appliedAt)]);
    expect(new Set(written)).toEqual(new Set([new Date(now).toISOString()]));
  });

  it(`reports every one of more than ${String(MAX_RECEIPT_APPLIED)} events a real feed replays, none twice, none in an oversized receipt`, async () => {
    const { publisher, receipts, startInstance } = await setup();
    const events = Array.from({ length: 2 * MAX_RECEIPT_APPLIED + 100 }, (_, index) => ban(`u${String(index)}`));
    await Promise.all(events.map((event) => publisher.publish(event)));

    const { feed } = await startInstance();
    await feed.ready;

    await eventually(async () => expect(appliedIn(receipts)).toHaveLength(events.length));
    expect(new Set(appliedIn(receipts).map((entry) => entry.eventId))).toEqual(new Set(events.map((event) => event.id)));
    const seqs = appliedIn(receipts).map((entry) => entry.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(receipts.every((receipt) => receipt.applied.length <= MAX_RECEIPT_APPLIED)).toBe(true);
  });

  it('keeps the feed applying when its receipts cannot be published, logging each one', async () => {
    const { publisher, startInstance } = await setup();
    const closedNc = await connect();
    await closedNc.close();
    const logged: string[] = [];
    const record = (_context: object, message: string) => void logged.push(message);
    const logger = { debug: record, info: record, warn: record, error: record };
    const { feed, reporter } = await startInstance({ nc: closedNc, logger });
    await feed.ready;

    await publisher.publish(ban('u1'));

    await eventually(async () => expect(feed.stats.applied).toBe(1));
    await eventually(async () => expect(reporter.stats.failed).toBeGreaterThanOrEqual(2));
    expect(reporter.stats.sent).toBe(0);
    expect(feed.state).toBe('ready');
    expect(logged).toContain('enforcement receipt not published');
    await reporter.stop();
  });

  it('keeps reporting across a nats-server restart', async () => {
    const { publisher, receipts, startInstance } = await setup();
    const { nc, feed, reporter } = await startInstance({ intervalMs: 100 });
    await feed.ready;

    const down = (async () => {
      for await (const status of nc.status()) if (status.type === 'disconnect') break;
    })();
    await server.stop();
    await down;
    const before = receipts.length;
    await server.restart();
    await eventually(async () => expect(feed.state).toBe('ready'));
    await eventually(async () => expect(receipts.slice(before).some((receipt) => receipt.state === 'ready')).toBe(true));
    const event = ban('after');
    await publisher.publish(event);

    await eventually(async () => expect(appliedIn(receipts).map((entry) => entry.eventId)).toContain(event.id));
    // Published while disconnected, the heartbeats waited in the client's buffer instead of failing.
    expect(reporter.stats.failed).toBe(0);
  });
});

describe('createEnforcementReporter options', () => {
  const valid = async (): Promise<EnforcementReporterOptions> => ({ nc: await connect(), feed: handDrivenFeed().feed, service: 'tickets', instanceId: 'tickets-7d9f-abcde' });

  it.each<[string, Partial<Record<keyof EnforcementReporterOptions, unknown>>]>([
    ['no connection', { nc: undefined }],
    ['no feed', { feed: {} }],
    ['a service of two subject tokens', { service: 'tickets.eu' }],
    ['an empty service', { service: '' }],
    ['an instance id with a space', { instanceId: 'host 1' }],
    ['an instance id of 129 characters', { instanceId: 'x'.repeat(129) }],
    ['an empty instance id', { instanceId: '' }],
    ['a zero interval', { intervalMs: 0 }],
    ['a fractional interval', { intervalMs: 1.5 }],
    ['an interval over an hour', { intervalMs: 3_600_001 }],
    ['a clock that is not a function', { clock: 1 }],
  ])('throws a TypeError for %s', async (_name, override) => {
    const options = { ...(await valid()), ...override } as EnforcementReporterOptions;
    expect(() => createEnforcementReporter(options)).toThrow(TypeError);
  });

  it('accepts an instance id of 128 printable characters and an interval of an hour', async () => {
    const reporter = createEnforcementReporter({ ...(await valid()), instanceId: '~'.repeat(128), intervalMs: 3_600_000 });
    reporters.push(reporter);
    expect(reporter.stats).toEqual({ sent: 0, failed: 0 });
  });
});
