import { jetstreamManager } from '@nats-io/jetstream';
import { createEvent } from './create-event';
import { ensureStreams } from './ensure-streams';
import { EventPublisher } from './event-publisher';
import type { VetoEvent } from './event-schemas';
import { parseEvent } from './parse-event';
import { useNatsServer } from './test-support/nats-suite';
import { uniqueNames } from './test-support/unique-names';

describe('EventPublisher', () => {
  const nats = useNatsServer();

  async function setUp() {
    const names = uniqueNames();
    await ensureStreams(nats.nc, names);
    return { names, publisher: new EventPublisher(nats.nc, { subjectPrefix: names.subjectPrefix }) };
  }

  it('stores the event on its subject with Nats-Msg-Id set to the event id', async () => {
    const { names, publisher } = await setUp();
    const event = createEvent('user.banned', { userId: 'u1', reason: 'spam', revokedAt: new Date().toISOString() }, { source: 'auth' });

    const result = await publisher.publish(event);

    const jsm = await jetstreamManager(nats.nc);
    const stored = await jsm.streams.getMessage(names.name, { seq: result.seq });
    expect(stored?.subject).toBe(`${names.subjectPrefix}.user.banned`);
    expect(stored?.header.get('Nats-Msg-Id')).toBe(event.id);
    expect(parseEvent(stored?.data)).toEqual(event);
    expect(result.duplicate).toBe(false);
  });

  it('stores an event published twice with the same id once and reports the duplicate', async () => {
    const { names, publisher } = await setUp();
    const event = createEvent('session.revoked', { userId: 'u1', sessionId: 's1', revokedAt: new Date().toISOString() }, { source: 'auth' });

    const first = await publisher.publish(event);
    const second = await publisher.publish(event);

    expect(second).toEqual({ seq: first.seq, duplicate: true });
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(names.name)).state.messages).toBe(1);
  });

  it('refuses an invalid event without sending it', async () => {
    const { names, publisher } = await setUp();
    const invalid = { ...createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth' }), data: {} } as unknown as VetoEvent;

    await expect(publisher.publish(invalid)).rejects.toMatchObject({ code: 'EVENT_INVALID_PAYLOAD' });
    const jsm = await jetstreamManager(nats.nc);
    expect((await jsm.streams.info(names.name)).state.messages).toBe(0);
  });

  it('reports PUBLISH_FAILED when no stream captures the subject', async () => {
    const publisher = new EventPublisher(nats.nc, { subjectPrefix: 'nostream', timeoutMs: 1000 });
    const event = createEvent('user.unbanned', { userId: 'u1' }, { source: 'auth' });

    await expect(publisher.publish(event)).rejects.toMatchObject({ name: 'EventError', code: 'PUBLISH_FAILED' });
  });

  it.each([[{ subjectPrefix: 'a.>' }], [{ timeoutMs: 0 }]])('throws TypeError for options %j', (options) => {
    expect(() => new EventPublisher(nats.nc, options)).toThrow(TypeError);
  });
});
