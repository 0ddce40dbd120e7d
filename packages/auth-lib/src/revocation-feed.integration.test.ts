import { randomBytes } from 'node:crypto';
import { createEvent, ensureStreams, EventPublisher, subjectFor, type NatsConnection, type VetoEvent } from '@veto/events';
import { connectTo, eventually, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { RevocationCache } from './revocation-cache';
import { createRevocationFeed, type AppliedRevocation, type RevocationFeed, type RevocationFeedOptions } from './revocation-feed';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from './testing';
import { createVerifier } from './verifier';
import { codeOf } from './test-support/code-of';

const TTL_S = 900;
const source = 'auth-lib-test';

let server: NatsServerHandle;
const connections: NatsConnection[] = [];
const feeds: RevocationFeed[] = [];

beforeAll(async () => {
  server = await startNatsServer();
});
afterEach(async () => {
  await Promise.all(feeds.splice(0).map((feed) => feed.stop()));
  await Promise.all(connections.splice(0).map((nc) => nc.close()));
});
afterAll(() => server.cleanup());

async function connect(): Promise<NatsConnection> {
  const nc = await connectTo(server);
  connections.push(nc);
  return nc;
}

/** A private stream per test, a publisher, and a factory for service instances (cache + feed + verifier). */
async function setup() {
  const tag = randomBytes(4).toString('hex');
  const names = { stream: `AUTH_${tag}`, subjectPrefix: `t${tag}.auth` };
  const pubNc = await connect();
  /** Creates the streams, as the auth service does at start (again after they were lost). */
  const createStreams = () => ensureStreams(pubNc, { name: names.stream, subjectPrefix: names.subjectPrefix, deadLetterStream: `DLQ_${tag}`, deadLetterPrefix: `t${tag}.dlq` });
  await createStreams();
  /** Deletes the event stream, as an operator (or a lost disk) would; the JetStream API directly, auth-lib has no manager. */
  const deleteStream = async () => {
    await pubNc.request(`$JS.API.STREAM.DELETE.${names.stream}`);
  };
  const publisher = new EventPublisher(pubNc, { subjectPrefix: names.subjectPrefix });

  const startInstance = async (overrides: Partial<RevocationFeedOptions> = {}) => {
    const clock = overrides.clock ?? Date.now;
    const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_S, clock });
    const applied: AppliedRevocation[] = [];
    const waiters: Array<{ count: number; resolve: () => void }> = [];
    const nc = overrides.nc ?? (await connect());
    const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: TTL_S, ...names, ...overrides });
    feeds.push(feed);
    feed.onApplied((a) => {
      applied.push(a);
      for (const w of waiters.filter((w) => applied.length >= w.count)) w.resolve();
    });
    const verifier = createVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      keys: testJwks(),
      clock,
      revocations: cache,
      isRevocationAvailable: feed.isRevocationAvailable,
    });
    /** Resolves once `count` events in total have been applied. */
    const appliedCount = (count: number) => (applied.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })));
    return { nc, cache, feed, verifier, applied, appliedCount };
  };
  return { names, pubNc, publisher, startInstance, createStreams, deleteStream };
}

const ban = (userId: string, at = new Date()) => createEvent('user.banned', { userId, revokedAt: at.toISOString() }, { source });

/** Resolves at the next status of the given type on a connection (the feed watches the same events). */
async function nextStatus(nc: NatsConnection, type: 'disconnect' | 'reconnect'): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) break;
  // Let the feed's own status loop, registered earlier, handle the same event first.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('RevocationFeed with a real nats-server', () => {
  it('rejects a token of a user once the ban is published, and reports the propagation lag', async () => {
    const { publisher, startInstance } = await setup();
    const instance = await startInstance();
    await instance.feed.ready;
    expect(instance.feed.state).toBe('ready');
    const token = signTestToken({ sub: 'u1' }, { now: Date.now() - 1000 });
    expect(instance.verifier.verify(token).sub).toBe('u1');

    await publisher.publish(ban('u1'));
    await instance.appliedCount(1);
    expect(codeOf(() => instance.verifier.verify(token))).toBe('TOKEN_REVOKED');
    expect(instance.applied[0]).toMatchObject({ live: true, changed: true });
    expect(instance.applied[0]?.lagMs).toBeGreaterThanOrEqual(0);
    // A sign-in after the ban is accepted.
    expect(codeOf(() => instance.verifier.verify(signTestToken({ sub: 'u1' }, { now: Date.now() + 1 })))).toBe('accepted');
  });

  it('rebuilds the same state by replay in a feed started later and is ready only after', async () => {
    const { publisher, startInstance } = await setup();
    const first = await startInstance();
    await first.feed.ready;
    const t = Date.now();
    const events: VetoEvent[] = [
      ban('u1', new Date(t - 5000)),
      createEvent('session.revoked', { userId: 'u2', sessionId: 's2', revokedAt: new Date(t - 4000).toISOString() }, { source }),
      createEvent('user.unbanned', { userId: 'u1' }, { source }),
      createEvent('user.sessions_revoked', { userId: 'u3', revokedAt: new Date(t - 3000).toISOString() }, { source }),
      ban('u1', new Date(t - 6000)),
    ];
    for (const event of events) await publisher.publish(event);
    await first.appliedCount(events.length);

    const second = await startInstance();
    expect(second.feed.isReady).toBe(false);
    expect(second.feed.state).toBe('catching-up');
    await second.feed.ready;
    expect(second.feed.stats.applied).toBe(events.length);
    expect(second.applied.every((a) => !a.live)).toBe(true);

    const tokens = [
      signTestToken({ sub: 'u1' }, { now: t - 5001 }),
      signTestToken({ sub: 'u1' }, { now: t - 4999 }),
      signTestToken({ sub: 'u2', sid: 's2' }, { now: t }),
      signTestToken({ sub: 'u2', sid: 's9' }, { now: t - 10_000 }),
      signTestToken({ sub: 'u3' }, { now: t - 3000 }),
      signTestToken({ sub: 'u3' }, { now: t - 2999 }),
    ];
    const decisions = (verify: (token: string) => unknown) => tokens.map((token) => codeOf(() => verify(token)));
    expect(decisions(second.verifier.verify)).toEqual(decisions(first.verifier.verify));
    expect(decisions(second.verifier.verify)).toEqual(['TOKEN_REVOKED', 'accepted', 'TOKEN_REVOKED', 'accepted', 'TOKEN_REVOKED', 'accepted']);
  });

  it('misses nothing across a nats-server restart', async () => {
    const { pubNc, publisher, startInstance } = await setup();
    const instance = await startInstance();
    await instance.feed.ready;
    await publisher.publish(ban('before-1'));
    await publisher.publish(ban('before-2'));
    await instance.appliedCount(2);

    const feedDown = nextStatus(instance.nc, 'disconnect');
    await server.stop();
    await feedDown;
    expect(instance.feed.state).toBe('degraded');
    const feedUp = nextStatus(instance.nc, 'reconnect');
    const publisherUp = nextStatus(pubNc, 'reconnect');
    await server.restart();
    await Promise.all([feedUp, publisherUp]);
    // Connected again, it is current once its consumer has been recreated after the last applied event.
    await eventually(async () => expect(instance.feed.state).toBe('ready'));

    await publisher.publish(ban('after-1'));
    await publisher.publish(ban('after-2'));
    await instance.appliedCount(4);
    expect(instance.applied.map((a) => (a.event.type === 'user.banned' ? a.event.data.userId : a.event.type))).toEqual(['before-1', 'before-2', 'after-1', 'after-2']);
    const old = Date.now() - 60_000;
    for (const userId of ['before-1', 'before-2', 'after-1', 'after-2']) {
      expect(codeOf(() => instance.verifier.verify(signTestToken({ sub: userId }, { now: old })))).toBe('TOKEN_REVOKED');
    }
  });

  it('counts and skips malformed and wrong-version messages and still applies later events', async () => {
    const { names, pubNc, publisher, startInstance } = await setup();
    const instance = await startInstance();
    await instance.feed.ready;
    const subject = subjectFor('user.banned', names.subjectPrefix);
    pubNc.publish(subject, 'not json');
    pubNc.publish(subject, JSON.stringify({ ...ban('u-v2'), version: 2 }));
    pubNc.publish(subject, JSON.stringify({ ...ban('u-bad'), data: { userId: 'u-bad' } }));
    await publisher.publish(ban('u1'));
    await instance.appliedCount(1);
    expect(instance.feed.stats).toMatchObject({ applied: 1, malformed: 3 });
    const old = Date.now() - 60_000;
    expect(codeOf(() => instance.verifier.verify(signTestToken({ sub: 'u1' }, { now: old })))).toBe('TOKEN_REVOKED');
    expect(codeOf(() => instance.verifier.verify(signTestToken({ sub: 'u-v2' }, { now: old })))).toBe('accepted');

    // A fresh instance replays the same mix and still becomes ready.
    const replayed = await startInstance();
    await replayed.feed.ready;
    expect(replayed.feed.stats).toMatchObject({ applied: 1, malformed: 3 });
  });

  it('keeps serving while disconnected by default, and fails closed after failClosedAfterMs when asked', async () => {
    const { startInstance } = await setup();
    const time = { now: Date.now() };
    const clock = () => time.now;
    const lenient = await startInstance({ clock });
    const strict = await startInstance({ clock, failClosedAfterMs: 5000 });
    await Promise.all([lenient.feed.ready, strict.feed.ready]);
    const token = signTestToken({ sub: 'u1' }, { now: time.now });

    const down = Promise.all([nextStatus(lenient.nc, 'disconnect'), nextStatus(strict.nc, 'disconnect')]);
    await server.stop();
    await down;
    expect([lenient.feed.state, strict.feed.state]).toEqual(['degraded', 'degraded']);
    time.now += 4999;
    expect(codeOf(() => strict.verifier.verify(token))).toBe('accepted');
    time.now += 1;
    expect([lenient.feed.state, strict.feed.state]).toEqual(['degraded', 'failed-closed']);
    expect(codeOf(() => lenient.verifier.verify(token))).toBe('accepted');
    expect(codeOf(() => strict.verifier.verify(token))).toBe('REVOCATION_UNAVAILABLE');

    const up = Promise.all([nextStatus(lenient.nc, 'reconnect'), nextStatus(strict.nc, 'reconnect')]);
    await server.restart();
    await up;
    await eventually(async () => expect(strict.feed.state).toBe('ready'));
    expect(codeOf(() => strict.verifier.verify(token))).toBe('accepted');
  });

  it('is degraded while its stream is missing, then rebuilds from the window of the new stream and enforces its bans', async () => {
    const { publisher, startInstance, createStreams, deleteStream } = await setup();
    const instance = await startInstance({ streamCheckIntervalMs: 100 });
    await instance.feed.ready;
    for (const userId of ['old-1', 'old-2', 'old-3']) await publisher.publish(ban(userId));
    await instance.appliedCount(3);

    await deleteStream();
    await eventually(async () => expect([instance.feed.state, instance.feed.reason]).toEqual(['degraded', 'stream-missing']));
    expect(instance.feed.notCurrentSince).toEqual(expect.any(Number));
    await createStreams();
    await publisher.publish(ban('new'));

    await instance.appliedCount(4);
    await eventually(async () => expect([instance.feed.state, instance.feed.reason]).toEqual(['ready', undefined]));
    expect(instance.feed.stats).toMatchObject({ resets: 1, lastSeq: 1 });
    const old = Date.now() - 60_000;
    for (const userId of ['old-1', 'new']) {
      expect(codeOf(() => instance.verifier.verify(signTestToken({ sub: userId }, { now: old })))).toBe('TOKEN_REVOKED');
    }
  });

  it('fails closed after failClosedAfterMs when its stream is gone, without any disconnection', async () => {
    const { publisher, startInstance, createStreams, deleteStream } = await setup();
    const time = { now: Date.now() };
    const logged: string[] = [];
    const record = (_context: object, message: string) => void logged.push(message);
    const logger = { debug: () => undefined, info: record, warn: record, error: record };
    const instance = await startInstance({ clock: () => time.now, failClosedAfterMs: 5_000, streamCheckIntervalMs: 100, logger });
    await instance.feed.ready;
    const disconnects: string[] = [];
    void (async () => {
      for await (const status of instance.nc.status()) if (status.type === 'disconnect') disconnects.push(status.type);
    })();
    const token = signTestToken({ sub: 'u1' }, { now: time.now });

    await deleteStream();
    await eventually(async () => expect(instance.feed.reason).toBe('stream-missing'));
    time.now += 4_999;
    expect(instance.feed.state).toBe('degraded');
    expect(codeOf(() => instance.verifier.verify(token))).toBe('accepted');
    time.now += 1;
    expect(instance.feed.state).toBe('failed-closed');
    expect(codeOf(() => instance.verifier.verify(token))).toBe('REVOCATION_UNAVAILABLE');
    await eventually(async () => expect(logged).toContain('revocation feed failed closed; verifiers refuse tokens until it is current again'));

    await createStreams();
    await publisher.publish(ban('u2'));
    await eventually(async () => expect(instance.feed.state).toBe('ready'));
    expect(codeOf(() => instance.verifier.verify(token))).toBe('accepted');
    expect(disconnects).toEqual([]);
    await eventually(async () => expect(logged).toContain('revocation feed current again'));
  });

  it('is degraded while its consumer cannot be recreated after a restart (JetStream not answering yet), and ready once it is', async () => {
    const { startInstance } = await setup();
    const instance = await startInstance();
    await instance.feed.ready;
    const states = new Set<string>();
    const watch = setInterval(() => states.add(`${instance.feed.state}/${String(instance.feed.reason)}`), 20);

    try {
      await server.restart({ kill: true, withoutJetStreamForMs: 3_000 });
      await eventually(async () => expect(instance.feed.state).toBe('ready'), 60_000);
    } finally {
      clearInterval(watch);
    }
    // Back on a server whose JetStream did not answer: connected, yet not current.
    expect(states).toContain('degraded/reconnecting');
  });

  it('rejects closed when its connection is closed under it, so the service can shut down', async () => {
    const { startInstance } = await setup();
    const instance = await startInstance();
    await instance.feed.ready;
    feeds.splice(feeds.indexOf(instance.feed), 1);
    await instance.nc.close();
    await expect(instance.feed.closed).rejects.toThrow('ended unexpectedly');
    expect(instance.feed.state).toBe('degraded');
  });
});
