import { waitFor } from '@veto/test-kit';
import { Registry } from 'prom-client';
import jwt from 'jsonwebtoken';
import { countAllPending } from '../../data-access/delivery-repository';
import { findStream } from '../../data-access/streams-repository';
import { SECURITY_EVENT_TYPES } from '../../domain/security-event-types';
import { applyStreamStatus } from '../../domain/stream-status';
import { createDeliveryMetrics, type DeliveryMetrics } from '../../domain/delivery-metrics';
import { PendingSignal } from '../../domain/pending-signal';
import { insertBanSet, insertTestReceiver, insertTestStream, openSignalsTestDatabase, securityEventsOf, type SignalsTestDatabase } from '../../test-support/delivery-fixtures';
import { poll, startPollTestServer } from '../../test-support/poll-test-server';
import { TEST_ISSUER } from '../../test-support/test-app';
import { testSigningKey } from '../../test-support/test-keys';

const key = testSigningKey();
let database: SignalsTestDatabase;
let registry: Registry;
let metrics: DeliveryMetrics;
let pending: PendingSignal;
let server: { url: string; close(): Promise<void> };
let receiver: { id: string; credential: string };

beforeAll(async () => {
  database = await openSignalsTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  registry = new Registry();
  metrics = createDeliveryMetrics(registry, () => countAllPending(database.db));
  pending = new PendingSignal();
  server = await startPollTestServer({ db: database.db, pending, metrics, clock: Date.now, maxWaitMs: 600_000, maxEvents: 3 });
  receiver = await insertTestReceiver(database.db);
});
afterEach(async () => {
  await server.close();
});
afterAll(async () => {
  await database.close();
});

const pollStream = (overrides: Parameters<typeof insertTestStream>[2] = {}) => insertTestStream(database.db, receiver.id, { deliveryMethod: 'urn:ietf:rfc:8936', ...overrides });

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const found = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return found?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
}

describe('POST /ssf/poll/:streamId', () => {
  it('answers pending SETs in order, at most maxEvents, with moreAvailable; unacknowledged ones come again with the same jti', async () => {
    const stream = await pollStream();
    const jtis: string[] = [];
    for (let i = 0; i < 3; i++) jtis.push((await insertBanSet(database.db, stream, key, TEST_ISSUER)).jti);
    const first = await poll(server.url, receiver.credential, stream.id, { maxEvents: 2, returnImmediately: true });
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^application\/json/);
    expect(Object.keys(first.body.sets as object)).toEqual(jtis.slice(0, 2));
    expect(first.body.moreAvailable).toBe(true);
    const rows = await securityEventsOf(database.db, stream.id);
    expect(first.body.sets).toEqual({ [jtis[0]!]: rows[0]?.token, [jtis[1]!]: rows[1]?.token });
    const again = await poll(server.url, receiver.credential, stream.id, { maxEvents: 2, returnImmediately: true });
    expect(again.body).toEqual(first.body);
  });

  it('records acknowledgements and setErrs first (both settle the SET for good), then answers what remains', async () => {
    const stream = await pollStream();
    const jtis: string[] = [];
    for (let i = 0; i < 3; i++) jtis.push((await insertBanSet(database.db, stream, key, TEST_ISSUER)).jti);
    const { body } = await poll(server.url, receiver.credential, stream.id, {
      ack: [jtis[0], 'unknown-jti'],
      setErrs: { [jtis[1]!]: { err: 'invalid_issuer', description: 'not our issuer' } },
      returnImmediately: true,
    });
    expect(body).toEqual({ sets: { [jtis[2]!]: expect.any(String) }, moreAvailable: false });
    const rows = await securityEventsOf(database.db, stream.id);
    expect(rows.map((row) => [row.state, row.lastError])).toEqual([
      ['delivered', null],
      ['delivered', 'setErr invalid_issuer: not our issuer'],
      ['pending', null],
    ]);
    expect(rows[0]?.deliveredAt).toBeInstanceOf(Date);
    expect(await metric('veto_signals_poll_acknowledged_total', { outcome: 'ack' })).toBe(1);
    expect(await metric('veto_signals_poll_acknowledged_total', { outcome: 'set_err' })).toBe(1);
  });

  it("ignores acknowledgements of another stream's SETs", async () => {
    const stream = await pollStream();
    const other = await pollStream();
    const { jti } = await insertBanSet(database.db, other, key, TEST_ISSUER);
    await poll(server.url, receiver.credential, stream.id, { ack: [jti], setErrs: { [jti]: { err: 'invalid_request' } }, returnImmediately: true });
    expect((await securityEventsOf(database.db, other.id)).map((row) => row.state)).toEqual(['pending']);
  });

  it('only acknowledges with maxEvents 0, without waiting', async () => {
    const stream = await pollStream();
    const { jti } = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    const { status, body } = await poll(server.url, receiver.credential, stream.id, { maxEvents: 0, ack: [jti] });
    expect(status).toBe(200);
    expect(body).toEqual({ sets: {}, moreAvailable: true });
    expect((await securityEventsOf(database.db, stream.id)).map((row) => row.state)).toEqual(['delivered', 'pending']);
  });

  it('answers at once with no SETs when returnImmediately is true and none is pending', async () => {
    const stream = await pollStream();
    expect((await poll(server.url, receiver.credential, stream.id, { returnImmediately: true })).body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('waits for a SET when none is pending, and answers it as soon as it is stored', async () => {
    let waits = 0;
    const observed = new (class extends PendingSignal {
      override wait(streamId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
        waits++;
        return super.wait(streamId, timeoutMs, signal);
      }
    })();
    await server.close();
    server = await startPollTestServer({ db: database.db, pending: observed, metrics, clock: Date.now, maxWaitMs: 600_000, maxEvents: 3 });
    const stream = await pollStream();
    const answer = poll(server.url, receiver.credential, stream.id, {});
    // The poll read the empty stream and waits: a SET stored now must wake it (else it would wait 10 minutes).
    await waitFor('the poll waiting', () => waits === 1);
    const { jti } = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    observed.notify(stream.id);
    const { body } = await answer;
    expect(Object.keys(body.sets as object)).toEqual([jti]);
  });

  it('answers an empty set after the longest wait', async () => {
    await server.close();
    server = await startPollTestServer({ db: database.db, pending, metrics, clock: Date.now, maxWaitMs: 50, maxEvents: 3 });
    const stream = await pollStream();
    expect((await poll(server.url, receiver.credential, stream.id, {})).body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('answers a waiting poll at once, empty, when the service stops', async () => {
    const stopping = new AbortController();
    let waits = 0;
    const observed = new (class extends PendingSignal {
      override wait(streamId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
        waits++;
        return super.wait(streamId, timeoutMs, signal);
      }
    })();
    await server.close();
    server = await startPollTestServer({ db: database.db, pending: observed, metrics, clock: Date.now, maxWaitMs: 600_000, maxEvents: 3, stopSignal: stopping.signal });
    const stream = await pollStream();
    const answer = poll(server.url, receiver.credential, stream.id, {});
    await waitFor('the poll waiting', () => waits === 1);
    stopping.abort();
    expect((await answer).body).toEqual({ sets: {}, moreAvailable: false });
  });

  it('answers no SETs for a paused or disabled stream, but takes its acknowledgements', async () => {
    const stream = await pollStream();
    const { jti } = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    await insertBanSet(database.db, stream, key, TEST_ISSUER);
    await database.db.execute(`update streams set status = 'paused' where id = '${stream.id}'`);
    const { body } = await poll(server.url, receiver.credential, stream.id, { ack: [jti], returnImmediately: true });
    expect(body).toEqual({ sets: {}, moreAvailable: false });
    expect((await securityEventsOf(database.db, stream.id)).map((row) => row.state)).toEqual(['delivered', 'pending']);
  });

  it('delivers what a paused stream queued up to its stream-updated SET, holds what came after, and sends it once enabled', async () => {
    const stream = await pollStream();
    const context = { clock: Date.now, issuer: TEST_ISSUER, subjectIssuer: 'https://auth.example.com', key };
    const before = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    const { row: paused } = await applyStreamStatus(database.db, context, (await findStream(database.db, stream.id))!, { status: 'paused', reason: 'maintenance' });
    const after = await insertBanSet(database.db, stream, key, TEST_ISSUER);
    const first = await poll(server.url, receiver.credential, stream.id, { returnImmediately: true });
    const types = (sets: unknown) => Object.values(sets as Record<string, string>).map((token) => Object.keys((jwt.decode(token) as { events: object }).events)[0]);
    expect(Object.keys(first.body.sets as object)[0]).toBe(before.jti);
    expect(types(first.body.sets)).toEqual([SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.streamUpdated]);
    expect(first.body.sets).not.toHaveProperty(after.jti);
    await poll(server.url, receiver.credential, stream.id, { ack: Object.keys(first.body.sets as object), maxEvents: 0 });
    await applyStreamStatus(database.db, context, paused, { status: 'enabled' });
    const second = await poll(server.url, receiver.credential, stream.id, { returnImmediately: true });
    expect(Object.keys(second.body.sets as object)[0]).toBe(after.jti);
    expect(types(second.body.sets)).toEqual([SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.streamUpdated]);
  });

  it("answers 404 NOT_FOUND for another receiver's stream, a push stream and an unknown id", async () => {
    const other = await insertTestReceiver(database.db);
    const theirs = await insertTestStream(database.db, other.id, { deliveryMethod: 'urn:ietf:rfc:8936' });
    const push = await insertTestStream(database.db, receiver.id);
    for (const id of [theirs.id, push.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const response = await poll(server.url, receiver.credential, id, { returnImmediately: true });
      expect(response.status).toBe(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
  });

  it('answers 401 RECEIVER_UNAUTHORIZED without a valid receiver credential', async () => {
    const stream = await pollStream();
    const response = await fetch(`${server.url}/ssf/poll/${stream.id}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { code: string }).code).toBe('RECEIVER_UNAUTHORIZED');
  });

  it.each([
    ['a negative maxEvents', { maxEvents: -1 }],
    ['a fractional maxEvents', { maxEvents: 1.5 }],
    ['a string returnImmediately', { returnImmediately: 'yes' }],
    ['ack not an array', { ack: 'jti' }],
    ['a setErrs entry without err', { setErrs: { abc: { description: 'x' } } }],
    ['a body that is not an object', [1, 2]],
  ])('answers 400 POLL_REQUEST_INVALID for %s', async (_name, body) => {
    const stream = await pollStream();
    const response = await poll(server.url, receiver.credential, stream.id, body);
    expect(response.status).toBe(400);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe('POLL_REQUEST_INVALID');
  });

  it('answers 400 MALFORMED_JSON for a body that is not JSON', async () => {
    const stream = await pollStream();
    const response = await poll(server.url, receiver.credential, stream.id, '{"ack": [');
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('MALFORMED_JSON');
  });
});
