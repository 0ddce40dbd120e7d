import { jetstreamManager } from '@nats-io/jetstream';
import { connectTo } from './connect-to';
import { ensureStreams } from './ensure-streams';
import { EventPublisher } from './event-publisher';
import { eventually } from './eventually';
import { subscribeFanOut, type FanOutOptions } from './fan-out-subscription';
import { startNatsServer } from './nats-server-harness';
import { nextReconnect } from './next-reconnect';
import { banOf, userIds } from './test-support/ban-events';
import { collect } from './test-support/collect';
import { fanOutStream } from './test-support/fan-out-stream';
import { useNatsServer } from './test-support/nats-suite';
import { recordingLogger } from './test-support/recording-logger';
import { subjectFor } from './subjects';
import { uniqueNames } from './test-support/unique-names';

// Each test kills or empties the server: generous timeouts for a busy machine, no timing assertions.
jest.setTimeout(120_000);

describe('subscribeFanOut recovery', () => {
  const nats = useNatsServer();

  /** A private stream, its publisher, and subscription options for it replaying everything. */
  async function newStream() {
    const stream = await fanOutStream(nats.nc);
    return { ...stream, options: { ...stream.options, startTime: () => new Date(0) } };
  }

  /** Deletes the stream and creates it again, as an operator, or the auth service after a lost store, would. */
  async function replaceStream(names: ReturnType<typeof uniqueNames>): Promise<void> {
    await (await jetstreamManager(nats.nc)).streams.delete(names.name);
    await ensureStreams(nats.nc, names);
  }

  async function setUp(extra: Partial<FanOutOptions> = {}) {
    const { names, publisher, options } = await newStream();
    const logger = recordingLogger();
    const sub = subscribeFanOut(nats.nc, { ...options, logger, ...extra });
    const events = collect(sub);
    await sub.caughtUp;
    /** Publishes from a fresh connection, retrying until JetStream takes it; returns when it was stored. */
    const publishFromOutside = async (userId: string): Promise<number> => {
      const other = await connectTo(nats.server);
      try {
        const outside = new EventPublisher(other, { subjectPrefix: names.subjectPrefix });
        await eventually(() => outside.publish(banOf(userId)), 60_000);
        return Date.now();
      } finally {
        await other.close();
      }
    };
    const lines = (message: string) => logger.lines.filter((line) => line.message.startsWith(message));
    return { names, publisher, logger, sub, events, publishFromOutside, lines };
  }

  it('recreates its consumer as soon as JetStream answers after a restart, without waiting for missed heartbeats', async () => {
    // Heartbeats every 15 s: the liveness watch would step in after 30 s, the client's own retry after 15 to 45 s.
    const { publisher, sub, events, publishFromOutside, lines } = await setUp({ idleHeartbeatMs: 15_000 });
    await publisher.publish(banOf('before'));
    await events.waitFor(1);
    const back = nextReconnect(nats.nc);

    // Killed, then back on the same port first without JetStream: the client's consumer lookup after
    // the reconnect fails with "no responders", which puts the client's own recovery to sleep.
    await nats.server.restart({ kill: true, withoutJetStreamForMs: 1_500 });
    await back;
    const publishedAt = await publishFromOutside('after');

    expect(userIds(await events.waitFor(2))).toEqual(['before', 'after']);
    console.info(`fan-out resumed ${Date.now() - publishedAt} ms after the first publish JetStream accepted following the restart`);
    expect(lines('fan-out consumer lost')).toEqual([]);
    expect(lines('fan-out consumer recreated; following the stream again').length).toBeGreaterThan(0);
    expect(sub.following).toBe(true);
    expect(sub.stats).toMatchObject({ lastSeq: 2, resets: 0 });
    await sub.stop();
  });

  it('starts once JetStream answers again when NATS is killed while it sets itself up', async () => {
    const { publisher, options } = await newStream();
    await publisher.publish(banOf('before'));
    const logger = recordingLogger();
    const back = nextReconnect(nats.nc);

    // Killed in the same tick: the set-up's first request is lost with the server and times out.
    const sub = subscribeFanOut(nats.nc, { ...options, logger });
    const events = collect(sub);
    await nats.server.restart({ kill: true });
    await back;
    await sub.caughtUp;
    await eventually(() => publisher.publish(banOf('after')), 60_000);

    expect(userIds(await events.waitFor(2))).toEqual(['before', 'after']);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => [line.message, (line.context.err as Error).name])).toContainEqual([
      'fan-out subscription could not start yet (JetStream did not answer); retrying',
      'TimeoutError',
    ]);
    expect(sub.stats).toMatchObject({ lastSeq: 2, resets: 0 });
    await sub.stop();
    await expect(sub.closed).resolves.toBeUndefined();
  });

  it('ends the iteration and resolves closed when stopped while its set-up waits for JetStream', async () => {
    // A server of its own, down while the subscription sets itself up: its requests get no answer.
    const server = await startNatsServer();
    const nc = await connectTo(server);
    try {
      const { options } = await fanOutStream(nc);
      await server.kill();
      const logger = recordingLogger();
      const sub = subscribeFanOut(nc, { ...options, startTime: new Date(0), logger });
      const events = collect(sub);
      await eventually(async () => expect(logger.lines.map((line) => line.message)).toContain('fan-out subscription could not start yet (JetStream did not answer); retrying'));

      await sub.stop();
      await expect(sub.closed).resolves.toBeUndefined();
      await expect(events.done).resolves.toBeUndefined();
      await expect(sub.caughtUp).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
    } finally {
      await nc.close();
      await server.cleanup();
    }
  });

  it('resumes after the last delivered sequence after a kill -9 and restart with the same store', async () => {
    const { publisher, sub, events, publishFromOutside } = await setUp();
    await publisher.publish(banOf('before'));
    await events.waitFor(1);
    const back = nextReconnect(nats.nc);

    await nats.server.restart({ kill: true });
    await back;
    const publishedAt = await publishFromOutside('after');

    expect(userIds(await events.waitFor(2))).toEqual(['before', 'after']);
    console.info(`fan-out resumed ${Date.now() - publishedAt} ms after the first publish JetStream accepted following a kill -9 and restart`);
    expect(sub.stats).toMatchObject({ lastSeq: 2, resets: 0 });
    await sub.stop();
  });

  it('rebuilds from the time window when the server comes back with an empty store and the stream is recreated', async () => {
    const { names, publisher, sub, events, lines } = await setUp({ streamCheckIntervalMs: 200 });
    for (const id of ['old-1', 'old-2', 'old-3']) await publisher.publish(banOf(id));
    await events.waitFor(3);
    const back = nextReconnect(nats.nc);

    await nats.server.restart({ kill: true, emptyStore: true });
    await back;
    await eventually(async () => {
      if (sub.interruption !== 'stream-missing') throw new Error(`interruption is ${String(sub.interruption)}`);
    });
    expect(sub.following).toBe(false);
    // What the auth service does at start: create the stream again; the next ban is its sequence 1.
    await ensureStreams(nats.nc, names);
    await eventually(() => publisher.publish(banOf('new')));

    expect(userIds(await events.waitFor(4))).toEqual(['old-1', 'old-2', 'old-3', 'new']);
    expect(events.items[3]?.seq).toBe(1);
    expect(sub.stats).toMatchObject({ resets: 1, lastSeq: 1 });
    expect(lines('fan-out stream was reset').map(({ level, context }) => [level, context.cause])).toEqual([['warn', 'recreated']]);
    await eventually(async () => {
      if (!sub.following) throw new Error('not following yet');
    });
    await sub.stop();
  });

  it('notices a stream deleted while connected, waits for it, and rebuilds when it is created again', async () => {
    const { names, publisher, sub, events } = await setUp({ streamCheckIntervalMs: 200 });
    for (const id of ['old-1', 'old-2']) await publisher.publish(banOf(id));
    await events.waitFor(2);
    const jsm = await jetstreamManager(nats.nc);

    await jsm.streams.delete(names.name);
    await eventually(async () => {
      if (sub.interruption !== 'stream-missing') throw new Error(`interruption is ${String(sub.interruption)}`);
    });
    expect(sub.following).toBe(false);
    await ensureStreams(nats.nc, names);
    await publisher.publish(banOf('new'));

    expect(userIds(await events.waitFor(3))).toEqual(['old-1', 'old-2', 'new']);
    expect(sub.stats.resets).toBe(1);
    await sub.stop();
  });

  it('rebuilds when the stream is deleted and created again between two checks, rather than resuming at the old position', async () => {
    const { names, publisher, sub, events, lines } = await setUp({ streamCheckIntervalMs: 200 });
    for (const id of ['old-1', 'old-2', 'old-3']) await publisher.publish(banOf(id));
    await events.waitFor(3);

    await replaceStream(names);
    await publisher.publish(banOf('new'));

    expect(userIds(await events.waitFor(4))).toEqual(['old-1', 'old-2', 'old-3', 'new']);
    expect(sub.stats.resets).toBe(1);
    expect(lines('fan-out stream was reset')).toHaveLength(1);
    await sub.stop();
  });

  it('stops, ends the iteration and leaves no consumer behind when stopped while a recovery creates the new consumer', async () => {
    let stopped: Promise<void> | undefined;
    const recorded = recordingLogger();
    const logger = {
      ...recorded,
      info: (context: object, message: string) => {
        recorded.info(context, message);
        // Logged inside a recovery attempt, before it creates the new consumer: a stop lands in the middle of it.
        if (message.startsWith('fan-out rebuilding from the time window')) stopped ??= sub.stop();
      },
    };
    const { names, publisher, sub, events } = await setUp({ streamCheckIntervalMs: 200, logger });
    await publisher.publish(banOf('old'));
    await events.waitFor(1);

    await replaceStream(names);
    await eventually(async () => expect(stopped).toBeDefined());

    await expect(stopped).resolves.toBeUndefined();
    await expect(sub.closed).resolves.toBeUndefined();
    await expect(events.done).resolves.toBeUndefined();
    const jsm = await jetstreamManager(nats.nc);
    await eventually(async () => expect((await jsm.streams.info(names.name)).state.consumer_count).toBe(0));
  });

  it('is not following while it replays the window after a reset, and follows again once the loop body handled it', async () => {
    const { names, publisher, options } = await newStream();
    const sub = subscribeFanOut(nats.nc, { ...options, streamCheckIntervalMs: 200 });
    const followingDuringBody: boolean[] = [];
    const events = collect(sub, () => followingDuringBody.push(sub.following));
    await sub.caughtUp;
    // More old events than new ones: the client's own consumer, recreated at the old position, cannot deliver a new one first.
    for (const id of ['old-1', 'old-2', 'old-3']) await publisher.publish(banOf(id));
    await events.waitFor(3);

    await replaceStream(names);
    await publisher.publish(banOf('new-1'));
    await publisher.publish(banOf('new-2'));

    expect(userIds(await events.waitFor(5))).toEqual(['old-1', 'old-2', 'old-3', 'new-1', 'new-2']);
    expect(followingDuringBody).toEqual([true, true, true, false, false]);
    await eventually(async () => {
      if (!sub.following) throw new Error(`still ${String(sub.interruption)}`);
    });
    expect(sub.interruptedSince).toBeUndefined();
    expect(sub.stats).toMatchObject({ resets: 1, lastSeq: 2 });
    await sub.stop();
  });

  it('says since when the stream holds an event its loop body has not finished with', async () => {
    const { publisher, options } = await newStream();
    const sub = subscribeFanOut(nats.nc, { ...options, streamCheckIntervalMs: 100 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: number[] = [];
    const loop = (async () => {
      for await (const { seq } of sub) {
        // The first event holds the loop body, as a slow or stuck consumer would.
        if (seq === 1) await gate;
        handled.push(seq);
      }
    })();
    await sub.caughtUp;
    await publisher.publish(banOf('slow'));
    await publisher.publish(banOf('waiting'));

    const since = await eventually(async () => sub.behindSince ?? Promise.reject(new Error('not behind yet')));
    expect(since).toBeLessThanOrEqual(Date.now());
    expect(sub.following).toBe(true);
    release();
    await eventually(async () => {
      if (handled.length < 2 || sub.behindSince !== undefined) throw new Error(`handled ${handled.join()}, behind since ${String(sub.behindSince)}`);
    });
    expect(sub.stats.streamLastSeq).toBe(2);
    await sub.stop();
    await loop;
  });

  it('calls a startTime function again for the rebuild', async () => {
    const startTimes: Date[] = [];
    const { names, publisher, sub, events } = await setUp({
      streamCheckIntervalMs: 200,
      startTime: () => {
        startTimes.push(new Date());
        return new Date(0);
      },
    });
    await publisher.publish(banOf('old'));
    await events.waitFor(1);

    await replaceStream(names);
    await publisher.publish(banOf('new'));

    await events.waitFor(2);
    expect(startTimes).toHaveLength(2);
    await sub.stop();
  });

  it('does not take a busy stream for a reset: events delivered while a stream check is answered are newer than its answer', async () => {
    // Checks every 100 ms while a flood of events arrives: each answer reaches the client behind
    // events stored after it was computed, so the position read on its arrival can be above the
    // last sequence it reports. Taken before asking, the position is never above it.
    const { names, sub, events, lines } = await setUp({ streamCheckIntervalMs: 100 });
    const total = 20_000;
    const flood = await connectTo(nats.server);
    try {
      const subject = subjectFor('user.banned', names.subjectPrefix);
      // Plain publishes, not awaiting each acknowledgement: the stream stores them as fast as it can.
      for (let sent = 0; sent < total; sent += 1) {
        flood.publish(subject, JSON.stringify(banOf(`busy-${sent}`)));
        if (sent % 500 === 499) await flood.flush();
      }
      await flood.flush();
    } finally {
      await flood.close();
    }
    await events.waitFor(total);
    expect(lines('fan-out stream was reset')).toEqual([]);
    expect(sub.stats).toMatchObject({ resets: 0, lastSeq: total });
    await sub.stop();
  });
});
