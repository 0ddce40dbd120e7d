import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connectTo } from './connect-to';
import { EventPublisher } from './event-publisher';
import { eventually } from './eventually';
import { subscribeFanOut } from './fan-out-subscription';
import { nextReconnect } from './next-reconnect';
import { banOf, userIds } from './test-support/ban-events';
import { collect } from './test-support/collect';
import { fanOutStream } from './test-support/fan-out-stream';
import { recordingLogger } from './test-support/recording-logger';
import { useNatsServer } from './test-support/nats-suite';

const LONG_AGO = new Date(0);

describe('subscribeFanOut', () => {
  const nats = useNatsServer();

  async function setUp() {
    const stream = await fanOutStream(nats.nc);
    const publishAll = async (ids: string[]): Promise<void> => {
      for (const id of ids) await stream.publisher.publish(banOf(id));
    };
    return { ...stream, publishAll };
  }

  it('replays stored events in order and reports caughtUp only after the last of them was handled', async () => {
    const { publishAll, options } = await setUp();
    await publishAll(['u1', 'u2', 'u3']);
    const sub = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    const caughtUpDuringBody: boolean[] = [];
    const events = collect(sub, () => caughtUpDuringBody.push(sub.isCaughtUp));

    await sub.caughtUp;

    expect(userIds(events.items)).toEqual(['u1', 'u2', 'u3']);
    expect(caughtUpDuringBody).toEqual([false, false, false]);
    expect(events.items.map(({ seq }) => seq)).toEqual([1, 2, 3]);
    await publishAll(['u4']);
    expect(userIds(await events.waitFor(4))).toEqual(['u1', 'u2', 'u3', 'u4']);
    expect(caughtUpDuringBody[3]).toBe(true);
    expect(sub.stats).toEqual({ delivered: 4, malformed: 0, lastSeq: 4, resets: 0, streamLastSeq: expect.any(Number) });
    await sub.stop();
    await sub.closed;
  });

  it('skips events stored before startTime', async () => {
    const { publishAll, names, options } = await setUp();
    await publishAll(['old']);
    const jsm = await jetstreamManager(nats.nc);
    const old = await jsm.streams.getMessage(names.name, { seq: 1 });
    // A start time in the millisecond after the old event's cannot include it.
    const startTime = new Date((old?.time.getTime() ?? 0) + 1);
    while (Date.now() <= startTime.getTime()) await new Promise((resolve) => setImmediate(resolve));
    await publishAll(['new']);

    const sub = subscribeFanOut(nats.nc, { ...options, startTime });
    const events = collect(sub);
    await sub.caughtUp;

    expect(userIds(events.items)).toEqual(['new']);
    await sub.stop();
  });

  it('is caught up at once when nothing was stored after startTime', async () => {
    const { publishAll, options } = await setUp();
    const empty = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    collect(empty);
    await empty.caughtUp;
    expect(empty.isCaughtUp).toBe(true);

    await publishAll(['old']);
    const later = subscribeFanOut(nats.nc, { ...options, startTime: new Date(Date.now() + 60_000) });
    const events = collect(later);
    await later.caughtUp;
    expect(events.items).toEqual([]);
    await Promise.all([empty.stop(), later.stop()]);
  });

  it('gives every subscriber every event, including one that starts later', async () => {
    const { publishAll, options } = await setUp();
    const first = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    const firstEvents = collect(first);
    await first.caughtUp;
    await publishAll(['u1', 'u2']);
    await firstEvents.waitFor(2);

    const second = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    const secondEvents = collect(second);
    await second.caughtUp;
    await publishAll(['u3']);

    expect(userIds(await firstEvents.waitFor(3))).toEqual(['u1', 'u2', 'u3']);
    expect(userIds(await secondEvents.waitFor(3))).toEqual(['u1', 'u2', 'u3']);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('counts, logs and skips malformed and unsupported messages, and keeps delivering', async () => {
    const { publishAll, names, options } = await setUp();
    const js = jetstream(nats.nc);
    const subject = `${names.subjectPrefix}.user.banned`;
    await publishAll(['u1']);
    await js.publish(subject, new Uint8Array([0xff, 0x00, 0x7b]));
    await js.publish(subject, JSON.stringify({ ...banOf('v2'), version: 2 }));
    await js.publish(`${names.subjectPrefix}.user.promoted`, JSON.stringify({ ...banOf('x'), type: 'user.promoted' }));
    await publishAll(['u2']);
    const logger = recordingLogger();

    const sub = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO, logger });
    const events = collect(sub);
    await sub.caughtUp;

    expect(userIds(events.items)).toEqual(['u1', 'u2']);
    expect(sub.stats).toEqual({ delivered: 2, malformed: 3, lastSeq: 5, resets: 0, streamLastSeq: 5 });
    const warnings = logger.lines.filter((line) => line.level === 'warn');
    expect(warnings.map(({ context }) => [context.seq, context.code])).toEqual([
      [2, 'EVENT_MALFORMED'],
      [3, 'EVENT_UNSUPPORTED_VERSION'],
      [4, 'EVENT_UNKNOWN_TYPE'],
    ]);
    await publishAll(['u3']);
    expect(userIds(await events.waitFor(3))).toEqual(['u1', 'u2', 'u3']);
    await sub.stop();
  });

  it('ends the iteration, resolves closed and leaves no consumer behind on stop', async () => {
    const { names, options } = await setUp();
    const sub = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    const events = collect(sub);
    await sub.caughtUp;

    await sub.stop();

    await expect(sub.closed).resolves.toBeUndefined();
    await expect(events.done).resolves.toBeUndefined();
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(names.name)).state.consumer_count).toBe(0);
  });

  it('ends the iteration and resolves closed when the connection is closed', async () => {
    const { options } = await setUp();
    const own = await connectTo(nats.server);
    const sub = subscribeFanOut(own, { ...options, startTime: LONG_AGO });
    const events = collect(sub);
    await sub.caughtUp;

    await own.close();

    await expect(sub.closed).resolves.toBeUndefined();
    await expect(events.done).resolves.toBeUndefined();
  });

  it('rejects closed and caughtUp with SUBSCRIPTION_FAILED when the stream does not exist', async () => {
    const sub = subscribeFanOut(nats.nc, { stream: 'NO_SUCH_STREAM', subjectPrefix: 'nowhere', startTime: LONG_AGO });
    await expect(sub.closed).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
    await expect(sub.caughtUp).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
  });

  it.each([
    ['an invalid startTime', { startTime: new Date('nope') }],
    ['a stream name with a dot', { startTime: LONG_AGO, stream: 'A.B' }],
    ['a wildcard prefix', { startTime: LONG_AGO, subjectPrefix: 'auth.>' }],
    ['an idle heartbeat below 500 ms', { startTime: LONG_AGO, idleHeartbeatMs: 100 }],
    ['an idle heartbeat not below the 30 s pull expiry', { startTime: LONG_AGO, idleHeartbeatMs: 30_000 }],
    ['recreation after a single missed heartbeat, which the client never reports', { startTime: LONG_AGO, recreateAfterMissedHeartbeats: 1 }],
    ['a fractional count of missed heartbeats', { startTime: LONG_AGO, recreateAfterMissedHeartbeats: 2.5 }],
    ['a stream check interval below 100 ms', { startTime: LONG_AGO, streamCheckIntervalMs: 10 }],
    ['a startTime that is neither a Date nor a function', { startTime: '2026-01-01' as unknown as Date }],
  ])('throws TypeError for %s', (_label, options) => {
    expect(() => subscribeFanOut(nats.nc, options)).toThrow(TypeError);
  });

  it('does not take the heartbeats it misses while nobody iterates for a lost consumer', async () => {
    const { publishAll, options } = await setUp();
    await publishAll(['u1', 'u2']);
    const logger = recordingLogger();
    const sub = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO, logger, idleHeartbeatMs: 500 });
    // The client sends its pull only once iterated, so the server sends no heartbeats until then.
    await eventually(async () => {
      if (!logger.lines.some(({ message, context }) => message === 'fan-out heartbeats missed' && Number(context.count) > 2)) throw new Error('no heartbeats missed yet');
    });
    expect(sub.following).toBe(true);

    const events = collect(sub);
    await sub.caughtUp;
    await publishAll(['u3']);

    expect(userIds(await events.waitFor(3))).toEqual(['u1', 'u2', 'u3']);
    expect(logger.lines.filter(({ message }) => message.startsWith('fan-out consumer lost'))).toEqual([]);
    expect(sub.stats.lastSeq).toBe(3);
    await sub.stop();
  });

  it('misses nothing across a server restart', async () => {
    const { names, publishAll, options } = await setUp();
    await publishAll(['before-1', 'before-2']);
    const sub = subscribeFanOut(nats.nc, { ...options, startTime: LONG_AGO });
    const events = collect(sub);
    await sub.caughtUp;

    const back = nextReconnect(nats.nc);
    await nats.server.restart();
    // Published from a fresh connection, possibly before the subscriber's connection is back.
    const other = await connectTo(nats.server);
    try {
      const otherPublisher = new EventPublisher(other, { subjectPrefix: names.subjectPrefix });
      await otherPublisher.publish(banOf('during'));
      await back;
      await publishAll(['after-1', 'after-2']);

      expect(userIds(await events.waitFor(5))).toEqual(['before-1', 'before-2', 'during', 'after-1', 'after-2']);
      expect(sub.stats.lastSeq).toBe(5);
      // The same store keeps the stream's identity: no reset, no replay.
      expect(sub.stats.resets).toBe(0);
    } finally {
      await other.close();
      await sub.stop();
    }
  });
});
