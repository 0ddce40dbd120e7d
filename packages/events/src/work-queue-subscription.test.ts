import { jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { createEvent } from './create-event';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import { connectTo } from './connect-to';
import { ensureStreams } from './ensure-streams';
import { eventually } from './eventually';
import { EventPublisher } from './event-publisher';
import { nextReconnect } from './next-reconnect';
import type { VetoEvent } from './event-schemas';
import { startNatsServer } from './nats-server-harness';
import { collect } from './test-support/collect';
import { useNatsServer } from './test-support/nats-suite';
import { recordingLogger } from './test-support/recording-logger';
import { uniqueNames } from './test-support/unique-names';
import { subscribeWorkQueue, type WorkItem, type WorkQueueOptions } from './work-queue-subscription';

function banOf(userId: string): VetoEvent {
  return createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'test' });
}

const userIdOf = (item: WorkItem): string => item.event.data.userId;

describe('subscribeWorkQueue', () => {
  const nats = useNatsServer();

  async function setUp() {
    const names = uniqueNames();
    await ensureStreams(nats.nc, names);
    const publisher = new EventPublisher(nats.nc, { subjectPrefix: names.subjectPrefix });
    const options: WorkQueueOptions = { service: names.service, stream: names.name, subjectPrefix: names.subjectPrefix, deadLetterPrefix: names.deadLetterPrefix };
    const js = jetstream(nats.nc);
    const jsm = await jetstreamManager(nats.nc);
    /** The next dead letter, read with an ordered consumer on the dead-letter stream. */
    const nextDeadLetter = async (): Promise<JsMsg> => {
      const consumer = await js.consumers.get(names.deadLetterStream);
      const msg = await consumer.next({ expires: 10_000 });
      if (!msg) throw new Error('no dead letter arrived');
      return msg;
    };
    /** The durable consumer's state once the server has processed every ack sent so far. */
    const consumerState = async () => {
      await nats.nc.flush();
      return jsm.consumers.info(names.name, names.service);
    };
    return { names, publisher, options, js, nextDeadLetter, consumerState };
  }

  it('hands each event to the handler and removes it from the queue on ack', async () => {
    const { publisher, options, consumerState } = await setUp();
    await publisher.publish(banOf('u1'));
    await publisher.publish(banOf('u2'));
    const queue = subscribeWorkQueue(nats.nc, options);
    // The durable consumer is set up asynchronously: `started` says when events can arrive.
    expect(queue.started).toBe(false);
    const items = collect(queue, (item) => item.ack());

    const handled = await items.waitFor(2);
    expect(queue.started).toBe(true);

    expect(handled.map(userIdOf)).toEqual(['u1', 'u2']);
    expect(handled.map(({ seq, deliveryCount }) => [seq, deliveryCount])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    const state = await consumerState();
    expect([state.num_ack_pending, state.num_pending, state.ack_floor.stream_seq]).toEqual([0, 0, 2]);
    await queue.stop();
    await expect(queue.closed).resolves.toBeUndefined();
    expect(queue.stats).toEqual(expect.objectContaining({ delivered: 2, acked: 2, retried: 0, deadLettered: 0 }));
  });

  it('delivers only the filtered type', async () => {
    const { publisher, options, consumerState } = await setUp();
    await publisher.publish(createEvent('user.unbanned', { userId: 'u0' }, { source: 'test' }));
    await publisher.publish(banOf('u1'));
    const queue = subscribeWorkQueue(nats.nc, { ...options, filterType: 'user.banned' });
    const items = collect(queue, (item) => item.ack());

    expect((await items.waitFor(1)).map(userIdOf)).toEqual(['u1']);
    expect((await consumerState()).num_pending).toBe(0);
    await queue.stop();
  });

  it('redelivers a failed event with backoff, then dead-letters it with the reason after maxDeliver attempts', async () => {
    const { publisher, options, nextDeadLetter, consumerState } = await setUp();
    const event = banOf('u1');
    await publisher.publish(event);
    const logger = recordingLogger();
    const queue = subscribeWorkQueue(nats.nc, { ...options, maxDeliver: 3, backoffMs: [10, 20], logger });
    const items = collect(queue, (item) => item.retry(new Error('tickets database unavailable')));

    const deadLetter = await nextDeadLetter();
    await queue.stop();

    expect(items.items.map((item) => item.deliveryCount)).toEqual([1, 2, 3]);
    expect(logger.lines.filter((line) => line.message === 'event handling failed, retrying later').map(({ context }) => context.delayMs)).toEqual([10, 20]);
    expect(deadLetter.subject).toBe(`${options.deadLetterPrefix}.${options.service}`);
    expect(JSON.parse(deadLetter.string())).toEqual(event);
    expect(Object.fromEntries(Object.values(DEAD_LETTER_HEADERS).map((name) => [name, deadLetter.headers?.get(name)]))).toEqual({
      [DEAD_LETTER_HEADERS.reason]: 'max-deliveries',
      [DEAD_LETTER_HEADERS.errorCode]: 'HANDLER_FAILED',
      [DEAD_LETTER_HEADERS.errorMessage]: 'Error: tickets database unavailable',
      [DEAD_LETTER_HEADERS.service]: options.service,
      [DEAD_LETTER_HEADERS.stream]: options.stream,
      [DEAD_LETTER_HEADERS.subject]: `${options.subjectPrefix}.user.banned`,
      [DEAD_LETTER_HEADERS.seq]: '1',
      [DEAD_LETTER_HEADERS.deliveryCount]: '3',
    });
    expect(queue.stats).toEqual(expect.objectContaining({ delivered: 3, retried: 2, deadLettered: 1 }));
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'event dead-lettered', context: expect.objectContaining({ seq: 1 }) }));
    expect((await consumerState()).num_ack_pending).toBe(0);
  });

  it('dead-letters a malformed message without showing it to the handler and goes on', async () => {
    const { publisher, options, js, nextDeadLetter } = await setUp();
    await js.publish(`${options.subjectPrefix}.user.banned`, new Uint8Array([0x7b, 0xff]));
    await publisher.publish(banOf('u1'));
    const queue = subscribeWorkQueue(nats.nc, options);
    const items = collect(queue, (item) => item.ack());

    expect((await items.waitFor(1)).map(userIdOf)).toEqual(['u1']);
    const deadLetter = await nextDeadLetter();
    expect(deadLetter.data).toEqual(new Uint8Array([0x7b, 0xff]));
    expect(deadLetter.headers?.get(DEAD_LETTER_HEADERS.reason)).toBe('malformed');
    expect(deadLetter.headers?.get(DEAD_LETTER_HEADERS.errorCode)).toBe('EVENT_MALFORMED');
    expect(deadLetter.headers?.get(DEAD_LETTER_HEADERS.seq)).toBe('1');
    await queue.stop();
    expect(queue.stats).toEqual(expect.objectContaining({ malformed: 1, deadLettered: 1, delivered: 1 }));
  });

  it('dead-letters an event whose handler never settled it on the last delivery', async () => {
    const { publisher, options, nextDeadLetter } = await setUp();
    await publisher.publish(banOf('u1'));
    const queue = subscribeWorkQueue(nats.nc, { ...options, maxDeliver: 1, ackWaitMs: 200 });
    const items = collect(queue);

    const deadLetter = await nextDeadLetter();
    await queue.stop();

    expect(items.items.map((item) => item.deliveryCount)).toEqual([1]);
    expect(deadLetter.headers?.get(DEAD_LETTER_HEADERS.reason)).toBe('max-deliveries');
    expect(deadLetter.headers?.get(DEAD_LETTER_HEADERS.deliveryCount)).toBe('2');
  });

  it('shares the work between two instances of a service, each event handled exactly once', async () => {
    const { publisher, options, consumerState } = await setUp();
    const ids = Array.from({ length: 20 }, (_, i) => `u${i}`);
    for (const id of ids) await publisher.publish(banOf(id));
    let handled = 0;
    let allHandled!: () => void;
    const done = new Promise<void>((resolve) => (allHandled = resolve));
    const onItem = (item: WorkItem): void => {
      item.ack();
      if (++handled === ids.length) allHandled();
    };
    const first = subscribeWorkQueue(nats.nc, { ...options, batch: 1 });
    const second = subscribeWorkQueue(nats.nc, { ...options, batch: 1 });
    const firstItems = collect(first, onItem);
    const secondItems = collect(second, onItem);

    await done;

    const firstIds = firstItems.items.map(userIdOf);
    const secondIds = secondItems.items.map(userIdOf);
    expect([...firstIds, ...secondIds].sort()).toEqual([...ids].sort());
    expect(firstIds.filter((id) => secondIds.includes(id))).toEqual([]);
    const state = await consumerState();
    expect([state.num_ack_pending, state.num_pending]).toEqual([0, 0]);
    await Promise.all([first.stop(), second.stop()]);
  });

  it('keeps its place in the queue across a server restart', async () => {
    const { publisher, options, consumerState } = await setUp();
    await publisher.publish(banOf('before'));
    const queue = subscribeWorkQueue(nats.nc, options);
    const items = collect(queue, (item) => item.ack());
    await items.waitFor(1);
    await consumerState();

    const back = nextReconnect(nats.nc);
    await nats.server.restart();
    await back;
    await publisher.publish(banOf('after'));

    expect((await items.waitFor(2)).map(userIdOf)).toEqual(['before', 'after']);
    await queue.stop();
  });

  it('sets its consumer up once JetStream answers again when NATS is killed while it does', async () => {
    const { publisher, options } = await setUp();
    await publisher.publish(banOf('before'));
    const logger = recordingLogger();
    const back = nextReconnect(nats.nc);

    // Killed in the same tick: the set-up's first request is lost with the server and times out.
    const queue = subscribeWorkQueue(nats.nc, { ...options, logger });
    const items = collect(queue, (item) => item.ack());
    await nats.server.restart({ kill: true });
    await back;
    await eventually(() => publisher.publish(banOf('after')), 60_000);

    expect((await items.waitFor(2)).map(userIdOf)).toEqual(['before', 'after']);
    expect(logger.lines.filter((line) => line.level === 'warn').map((line) => [line.message, (line.context.err as Error).name])).toContainEqual([
      'work-queue subscription could not start yet (JetStream did not answer); retrying',
      'TimeoutError',
    ]);
    await queue.stop();
    await expect(queue.closed).resolves.toBeUndefined();
  });

  it('ends the iteration and resolves closed when stopped while its set-up waits for JetStream', async () => {
    // A server of its own, down while the subscription sets itself up: its requests get no answer.
    const server = await startNatsServer();
    const nc = await connectTo(server);
    try {
      const names = uniqueNames();
      await ensureStreams(nc, names);
      await server.kill();
      const logger = recordingLogger();
      const queue = subscribeWorkQueue(nc, { service: names.service, stream: names.name, subjectPrefix: names.subjectPrefix, logger });
      const items = collect(queue);
      await eventually(async () => expect(logger.lines.map((line) => line.message)).toContain('work-queue subscription could not start yet (JetStream did not answer); retrying'));

      await queue.stop();
      await expect(queue.closed).resolves.toBeUndefined();
      await expect(items.done).resolves.toBeUndefined();
      expect(items.items).toEqual([]);
    } finally {
      await nc.close();
      await server.cleanup();
    }
  });

  it('recreates its consumer after NATS restarts with an empty store and handles the new events from seq 1', async () => {
    // A server of its own: the lost store takes every stream with it.
    const server = await startNatsServer();
    const nc = await connectTo(server);
    try {
      const names = uniqueNames();
      await ensureStreams(nc, names);
      const publisher = new EventPublisher(nc, { subjectPrefix: names.subjectPrefix });
      for (const userId of ['old-1', 'old-2', 'old-3']) await publisher.publish(banOf(userId));
      const logger = recordingLogger();
      const queue = subscribeWorkQueue(nc, { service: names.service, stream: names.name, subjectPrefix: names.subjectPrefix, deadLetterPrefix: names.deadLetterPrefix, logger });
      const items = collect(queue, (item) => item.ack());
      await items.waitFor(3);

      const back = nextReconnect(nc);
      await server.restart({ emptyStore: true });
      await back;
      // Whoever manages the streams (auth, or a service with MANAGE_STREAMS=true) creates them again, empty.
      await eventually(() => ensureStreams(nc, names));
      await publisher.publish(banOf('new-1'));
      await publisher.publish(banOf('new-2'));

      const handled = await items.waitFor(5);
      expect(handled.slice(3).map((item) => [userIdOf(item), item.seq])).toEqual([
        ['new-1', 1],
        ['new-2', 2],
      ]);
      expect(queue.stats.resets).toBe(1);
      expect(logger.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toContain(
        'work-queue consumer gone (the stream was reset or the consumer deleted); recreating it',
      );
      await queue.stop();
    } finally {
      await nc.close();
      await server.cleanup();
    }
  });

  it('throws TypeError when an item is settled twice', async () => {
    const { publisher, options } = await setUp();
    await publisher.publish(banOf('u1'));
    const queue = subscribeWorkQueue(nats.nc, options);
    const [item] = await collect(queue).waitFor(1);
    item?.ack();
    expect(() => item?.retry(new Error('late'))).toThrow(TypeError);
    await queue.stop();
  });

  it('fails with SUBSCRIPTION_FAILED when the service consumer exists with another filter', async () => {
    const { publisher, options } = await setUp();
    await publisher.publish(banOf('u1'));
    const banned = subscribeWorkQueue(nats.nc, { ...options, filterType: 'user.banned' });
    // Once an item arrived, the consumer exists with the user.banned filter.
    await collect(banned, (item) => item.ack()).waitFor(1);
    const unbanned = subscribeWorkQueue(nats.nc, { ...options, filterType: 'user.unbanned' });
    const items = collect(unbanned);

    await expect(unbanned.closed).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
    await expect(items.done).resolves.toBeUndefined();
    await banned.stop();
  });

  it('fails with SUBSCRIPTION_FAILED when the stream does not exist', async () => {
    const queue = subscribeWorkQueue(nats.nc, { service: 'svc-x', stream: 'NO_SUCH_STREAM' });
    await expect(queue.closed).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
  });

  it.each([
    ['a service name with a dot', { service: 'svc.tickets' }],
    ['maxDeliver 0', { service: 'svc', maxDeliver: 0 }],
    ['an empty backoff', { service: 'svc', backoffMs: [] }],
    ['a negative backoff', { service: 'svc', backoffMs: [-1] }],
    ['a fractional ackWaitMs', { service: 'svc', ackWaitMs: 1.5 }],
  ])('throws TypeError for %s', (_label, options) => {
    expect(() => subscribeWorkQueue(nats.nc, options)).toThrow(TypeError);
  });
});
