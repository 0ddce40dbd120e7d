import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import {
  allReceiptsSubject,
  connect,
  createEvent,
  deadLetterSubject,
  encodeEnforcementReceipt,
  parseEnforcementReceipt,
  receiptSubject,
  ensureStreams,
  EventPublisher,
  storedEventId,
  subscribeFanOut,
  subscribeWorkQueue,
  waitForStream,
  type DeliveredEvent,
  type NatsConnection,
  type VetoEvent,
  type WorkItem,
} from '@veto/events';
import { connectTo, startDelayProxy, startNatsServer, testReceipt, type NatsServerHandle } from '@veto/events/testing';

const CONFIG_FILE = join(__dirname, 'veto.conf');
// The server parses a variable's value as a configuration token, so a password starts with a letter (see the README).
const PASSWORDS = { auth: `a${randomBytes(12).toString('hex')}`, tickets: `t${randomBytes(12).toString('hex')}`, signals: `s${randomBytes(12).toString('hex')}` };
/** The consume-only services; each has a user of its own with the same consuming rights. */
const SERVICES = ['tickets', 'signals'] as const;
type ConsumingService = (typeof SERVICES)[number];
/** The other one: whose name a service must not use. */
const OTHER: Record<ConsumingService, ConsumingService> = { tickets: 'signals', signals: 'tickets' };

function banOf(userId: string): VetoEvent {
  return createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'permissions-test' });
}

/** A valid receipt of an instance of `service`, as its reporter would publish it. */
function receiptOf(service: string, instanceId: string): Uint8Array {
  return encodeEnforcementReceipt(testReceipt({ service, instanceId, intervalMs: 5000 }));
}

/** Publishes on plain NATS and resolves with the error the server answers (permission violations are asynchronous errors of the connection). */
async function refusedPublish(nc: NatsConnection, subject: string, data: string | Uint8Array): Promise<string> {
  const statuses = nc.status();
  nc.publish(subject, data);
  for await (const status of statuses) if (status.type === 'error') return String(status.error);
  throw new Error(`the connection closed before the server answered the publish to ${subject}`);
}

/** Iterates until an item is about `userId`, handing each item to `onItem` inside the loop; resolves with that item. */
async function untilUser<T extends { event: VetoEvent }>(source: AsyncIterable<T>, userId: string, onItem: (item: T) => void = () => undefined): Promise<T> {
  for await (const item of source) {
    onItem(item);
    if (item.event.data.userId === userId) return item;
  }
  throw new Error(`the iteration ended before an event about ${userId}`);
}

describe('infra/nats/veto.conf permissions (real nats-server with the configuration)', () => {
  let server: NatsServerHandle;
  let asAuth: NatsConnection;
  let asTickets: NatsConnection;
  let asSignals: NatsConnection;
  const as = (service: ConsumingService): NatsConnection => (service === 'tickets' ? asTickets : asSignals);

  beforeAll(async () => {
    server = await startNatsServer({
      configFile: CONFIG_FILE,
      env: { VETO_NATS_AUTH_PASSWORD: PASSWORDS.auth, VETO_NATS_TICKETS_PASSWORD: PASSWORDS.tickets, VETO_NATS_SIGNALS_PASSWORD: PASSWORDS.signals },
    });
    asAuth = await connectTo(server, { user: 'auth', pass: PASSWORDS.auth, name: 'auth' });
    asTickets = await connectTo(server, { user: 'tickets', pass: PASSWORDS.tickets, name: 'tickets' });
    asSignals = await connectTo(server, { user: 'signals', pass: PASSWORDS.signals, name: 'signals' });
  });

  afterAll(async () => {
    await asAuth?.close();
    await asTickets?.close();
    await asSignals?.close();
    await server?.cleanup();
  });

  it('gives a client whose handshake is slowed by a busy machine longer than the default 2 s to authenticate', async () => {
    const slow = await startDelayProxy({ targetPort: server.port, delayMs: 3000 });
    try {
      const nc = await connect({ servers: slow.url, user: 'tickets', pass: PASSWORDS.tickets, reconnect: false });
      await nc.close();
    } finally {
      await slow.close();
    }
  });

  it('refuses a connection without credentials and one with a wrong password', async () => {
    await expect(connectTo(server, { reconnect: false })).rejects.toThrow(/Authorization/i);
    await expect(connectTo(server, { reconnect: false, user: 'tickets', pass: 'guessed' })).rejects.toThrow(/Authorization/i);
    await expect(connectTo(server, { reconnect: false, user: 'signals', pass: PASSWORDS.tickets })).rejects.toThrow(/Authorization/i);
  });

  it('lets the auth credential create and update the AUTH and dead-letter streams and publish auth events', async () => {
    await ensureStreams(asAuth);
    await ensureStreams(asAuth, { maxAgeMs: 24 * 60 * 60 * 1000 });

    const { seq } = await new EventPublisher(asAuth).publish(createEvent('user.unbanned', { userId: 'u-auth' }, { source: 'permissions-test' }));

    expect(seq).toBeGreaterThan(0);
  });

  it('lets the auth credential read which event AUTH stores at a sequence (the outbox checks the stream still holds what it published)', async () => {
    await ensureStreams(asAuth);
    const event = createEvent('user.unbanned', { userId: 'u-check' }, { source: 'permissions-test' });
    const { seq } = await new EventPublisher(asAuth).publish(event);

    expect(await storedEventId(asAuth, 'AUTH', seq)).toBe(event.id);
  });

  it('lets the auth credential read dead letters by sequence without a consumer (veto-stream dead-letters), and refuses tickets', async () => {
    await ensureStreams(asAuth);
    const { seq } = await jetstream(asTickets).publish('veto.dlq.tickets', 'set aside');
    const asAuthJsm = await jetstreamManager(asAuth);

    expect((await asAuthJsm.streams.info('VETO_DLQ')).state.last_seq).toBeGreaterThanOrEqual(seq);
    expect((await asAuthJsm.streams.getMessage('VETO_DLQ', { seq }))?.string()).toBe('set aside');
    await expect((await jetstreamManager(asTickets)).streams.getMessage('VETO_DLQ', { seq })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/Permissions Violation for Publish to "\$JS\.API\.STREAM\.MSG\.GET\.VETO_DLQ"/) },
    });
  });

  describe.each(SERVICES)('the %s credential (consume-only)', (service) => {
    it('is refused publishing auth.user.unbanned, through JetStream and plain NATS', async () => {
      await ensureStreams(asAuth);
      const jsm = await jetstreamManager(asAuth);
      const before = (await jsm.streams.info('AUTH')).state.messages;

      await expect(new EventPublisher(as(service)).publish(createEvent('user.unbanned', { userId: 'u-forged' }, { source: service }))).rejects.toThrow(
        /Permissions Violation for Publish to "auth\.user\.unbanned"/,
      );
      expect(await refusedPublish(as(service), 'auth.user.unbanned', 'forged')).toMatch(/Permissions Violation for Publish to "auth\.user\.unbanned"/);

      await asAuth.flush();
      expect((await jsm.streams.info('AUTH')).state.messages).toBe(before);
    });

    it('is refused deleting, purging, updating or creating the AUTH stream', async () => {
      await ensureStreams(asAuth);
      const jsm = await jetstreamManager(as(service));
      const violation = /Permissions Violation for Publish to "\$JS\.API\.STREAM\.(DELETE|PURGE|UPDATE|CREATE)\.AUTH"/;

      await expect(jsm.streams.delete('AUTH')).rejects.toThrow(violation);
      await expect(jsm.streams.purge('AUTH')).rejects.toThrow(violation);
      await expect(jsm.streams.update('AUTH', { max_msgs: 1 })).rejects.toThrow(violation);
      await expect(ensureStreams(as(service))).rejects.toMatchObject({ code: 'STREAM_SETUP_FAILED' });

      const info = await (await jetstreamManager(asAuth)).streams.info('AUTH');
      expect(info.config.max_msgs).toBe(-1);
    });

    it('waits for the AUTH stream the auth service creates', async () => {
      await ensureStreams(asAuth);

      await expect(waitForStream(as(service), { timeoutMs: 5000 })).resolves.toBeUndefined();
    });

    it('follows AUTH with a fan-out subscription (the revocation cache that checks its admin tokens)', async () => {
      await ensureStreams(asAuth);
      const sub = subscribeFanOut(as(service), { startTime: new Date() });
      const userId = `u-fan-${randomBytes(3).toString('hex')}`;
      const received = untilUser<DeliveredEvent>(sub, userId);
      await sub.caughtUp;

      await new EventPublisher(asAuth).publish(banOf(userId));

      expect((await received).event.type).toBe('user.banned');
      await sub.stop();
      await expect(sub.closed).resolves.toBeUndefined();
    });

    it('works a durable queue on AUTH and dead-letters on its own subject only', async () => {
      await ensureStreams(asAuth);
      const userId = `u-queue-${randomBytes(3).toString('hex')}`;
      const deadLetterSubjects = async () => (await (await jetstreamManager(asAuth)).streams.info('VETO_DLQ', { subjects_filter: '>' })).state.subjects ?? {};
      // Other tests store dead letters too, under either service's name.
      const before = await deadLetterSubjects();
      // Stored before the consumer exists, so the durable consumer (deliver all) sees both, in order.
      await jetstream(asAuth).publish('auth.user.banned', 'not an event');
      await new EventPublisher(asAuth).publish(banOf(userId));
      const queue = subscribeWorkQueue(as(service), { service, filterType: 'user.banned' });

      const item = await untilUser<WorkItem>(queue, userId, (each) => each.ack());

      expect(item.event.type).toBe('user.banned');
      await queue.stop();
      // A consumer created after another service's test also sees the malformed message that test stored.
      const { malformed, deadLettered, deadLetterFailures } = queue.stats;
      expect(malformed).toBeGreaterThanOrEqual(1);
      expect([deadLettered, deadLetterFailures]).toEqual([malformed, 0]);
      await as(service).flush();
      const consumer = await (await jetstreamManager(asAuth)).consumers.info('AUTH', service);
      expect([consumer.num_ack_pending, consumer.num_pending]).toEqual([0, 0]);
      const after = await deadLetterSubjects();
      expect(after[deadLetterSubject(service)]).toBe((before[deadLetterSubject(service)] ?? 0) + deadLettered);
      expect(after[deadLetterSubject(OTHER[service])]).toBe(before[deadLetterSubject(OTHER[service])]);
      await expect(jetstream(as(service)).publish(deadLetterSubject(OTHER[service]), 'not mine')).rejects.toThrow(
        new RegExp(`Permissions Violation for Publish to "veto\\.dlq\\.${OTHER[service]}"`),
      );
      await expect(jetstream(as(service)).publish('veto.dlq.billing', 'not mine')).rejects.toThrow(/Permissions Violation for Publish to "veto\.dlq\.billing"/);
    });

    it('is refused reading the dead letters', async () => {
      await ensureStreams(asAuth);
      const { seq } = await jetstream(as(service)).publish(deadLetterSubject(service), 'set aside');

      await expect((await jetstreamManager(as(service))).streams.getMessage('VETO_DLQ', { seq })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/Permissions Violation for Publish to "\$JS\.API\.STREAM\.MSG\.GET\.VETO_DLQ"/) },
      });
    });
  });

  describe('enforcement receipts (core NATS, veto.receipts.<service>)', () => {
    /** The receipts auth receives on `veto.receipts.*` from now on, with their subjects. */
    async function receivedByAuth() {
      const sub = asAuth.subscribe(allReceiptsSubject());
      await asAuth.flush();
      const iterator = sub[Symbol.asyncIterator]();
      const next = async () => {
        const { value: msg } = await iterator.next();
        return msg === undefined ? undefined : { subject: msg.subject, instanceId: parseEnforcementReceipt(msg.data).instanceId };
      };
      return { next, stop: () => sub.unsubscribe() };
    }

    it('lets tickets publish its receipts and auth receive them', async () => {
      const received = await receivedByAuth();
      asTickets.publish(receiptSubject('tickets'), receiptOf('tickets', 'tickets-1'));

      expect(await received.next()).toEqual({ subject: 'veto.receipts.tickets', instanceId: 'tickets-1' });
      received.stop();
    });

    it('refuses a receipt tickets forges for another service: it never reaches auth', async () => {
      const received = await receivedByAuth();

      expect(await refusedPublish(asTickets, receiptSubject('billing'), receiptOf('billing', 'forged'))).toMatch(/Permissions Violation for Publish to "veto\.receipts\.billing"/);
      expect(await refusedPublish(asTickets, 'auth.x', 'forged')).toMatch(/Permissions Violation for Publish to "auth\.x"/);
      // Published after the refusals on the same connection, its own receipt is the first auth gets.
      asTickets.publish(receiptSubject('tickets'), receiptOf('tickets', 'genuine'));

      expect(await received.next()).toEqual({ subject: 'veto.receipts.tickets', instanceId: 'genuine' });
      received.stop();
    });

    it('refuses auth publishing a receipt', async () => {
      const received = await receivedByAuth();

      expect(await refusedPublish(asAuth, receiptSubject('tickets'), receiptOf('tickets', 'forged-by-auth'))).toMatch(
        /Permissions Violation for Publish to "veto\.receipts\.tickets"/,
      );
      // The server answered the refusal before this one was sent: had the forged one gone out, it would come first.
      asTickets.publish(receiptSubject('tickets'), receiptOf('tickets', 'genuine'));

      expect(await received.next()).toEqual({ subject: 'veto.receipts.tickets', instanceId: 'genuine' });
      received.stop();
    });

    it("refuses signals publishing receipts, its own or another service's (it enforces no tokens): none reaches auth", async () => {
      const received = await receivedByAuth();

      expect(await refusedPublish(asSignals, receiptSubject('signals'), receiptOf('signals', 'forged-by-signals'))).toMatch(
        /Permissions Violation for Publish to "veto\.receipts\.signals"/,
      );
      expect(await refusedPublish(asSignals, receiptSubject('tickets'), receiptOf('tickets', 'forged-by-signals'))).toMatch(
        /Permissions Violation for Publish to "veto\.receipts\.tickets"/,
      );
      // The server answered both refusals before this one was sent: had a forged one gone out, it would come first.
      asTickets.publish(receiptSubject('tickets'), receiptOf('tickets', 'genuine'));

      expect(await received.next()).toEqual({ subject: 'veto.receipts.tickets', instanceId: 'genuine' });
      received.stop();
    });

    it.each(SERVICES)('refuses %s reading the receipts', async (service) => {
      const sub = as(service).subscribe(allReceiptsSubject());

      await expect(sub[Symbol.asyncIterator]().next()).rejects.toThrow(/Permissions Violation for Subscription to "veto\.receipts\.\*"/);
    });
  });
});
