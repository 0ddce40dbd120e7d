import { expectProblem } from '@veto/test-kit';
import { asc, eq } from 'drizzle-orm';
import request from 'supertest';
import { securityEvents } from '../../data-access/schema';
import { insertSecurityEvent } from '../../data-access/security-events-repository';
import { SECURITY_EVENT_TYPES } from '../../domain/security-event-types';
import { adminToken, createTestApp, TEST_ISSUER, type TestApp } from '../../test-support/test-app';
import { openSignalsTestDatabase, type SignalsTestDatabase } from '../../test-support/test-database';

const PUSH = 'urn:ietf:rfc:8935';
const POLL = 'urn:ietf:rfc:8936';
const NO_SUCH_STREAM = '00000000-0000-4000-8000-000000000000';

let database: SignalsTestDatabase;
let testApp: TestApp;

beforeAll(async () => {
  database = await openSignalsTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  testApp = createTestApp({ db: database.db });
});
afterAll(() => database.close());

/** A receiver registered through the admin API, and its credential as a header value. */
async function newReceiver(app: TestApp = testApp): Promise<{ id: string; auth: string }> {
  const res = await request(app.app)
    .post('/api/admin/receivers')
    .set('authorization', `Bearer ${adminToken(app.clock)}`)
    .send({ name: 'Acme SIEM' })
    .expect(201);
  const { id, credential } = res.body as { id: string; credential: string };
  return { id, auth: `Bearer ${credential}` };
}

async function newStream(auth: string, body: Record<string, unknown> = {}, app: TestApp = testApp): Promise<Record<string, unknown> & { stream_id: string }> {
  const res = await request(app.app).post('/ssf/stream').set('authorization', auth).send(body).expect(201);
  return res.body as Record<string, unknown> & { stream_id: string };
}

/** The claims of the stream's SETs, oldest first, with their state. */
async function outbox(streamId: string): Promise<{ state: string; eventType: string; claims: Record<string, unknown> }[]> {
  const rows = await database.db.select().from(securityEvents).where(eq(securityEvents.streamId, streamId)).orderBy(asc(securityEvents.seq));
  return rows.map((row) => ({
    state: row.state,
    eventType: row.eventType,
    claims: JSON.parse(Buffer.from(row.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
  }));
}

/** Writes a SET as the consumer would (a Veto event for the stream), pending. */
async function pendingEvent(streamId: string, jti: string): Promise<void> {
  await insertSecurityEvent(database.db, {
    streamId,
    jti,
    eventType: SECURITY_EVENT_TYPES.accountDisabled,
    sourceId: jti,
    token: `h.${Buffer.from(JSON.stringify({ jti })).toString('base64url')}.s`,
    createdAt: new Date(testApp.clock()),
  });
}

describe('POST /ssf/stream', () => {
  it('creates an enabled poll stream by default, its endpoint assigned by the transmitter and its aud the receiver', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth, {
      events_requested: [SECURITY_EVENT_TYPES.sessionRevoked, 'urn:example:unsupported', SECURITY_EVENT_TYPES.accountDisabled],
      description: 'SIEM feed',
    });
    expect(stream).toEqual({
      stream_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: TEST_ISSUER,
      aud: receiver.id,
      events_supported: [SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.accountEnabled, SECURITY_EVENT_TYPES.sessionRevoked],
      events_requested: [SECURITY_EVENT_TYPES.sessionRevoked, 'urn:example:unsupported', SECURITY_EVENT_TYPES.accountDisabled],
      events_delivered: [SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.sessionRevoked],
      delivery: { method: POLL, endpoint_url: `${TEST_ISSUER}/ssf/poll/${stream.stream_id}` },
      min_verification_interval: 30,
      description: 'SIEM feed',
      format: 'iss_sub',
    });
    await request(testApp.app)
      .get('/ssf/status')
      .query({ stream_id: stream.stream_id })
      .set('authorization', receiver.auth)
      .expect(200, { stream_id: stream.stream_id, status: 'enabled' });
  });

  it('creates a push stream to an https endpoint, keeping the authorization header and the email subject format', async () => {
    const receiver = await newReceiver();
    const delivery = { method: PUSH, endpoint_url: 'https://receiver.example.com/events', authorization_header: 'Bearer rcv-token' };
    const stream = await newStream(receiver.auth, { delivery, format: 'email' });
    expect(stream).toMatchObject({ delivery, format: 'email' });
    const read = await request(testApp.app).get('/ssf/stream').query({ stream_id: stream.stream_id }).set('authorization', receiver.auth).expect(200);
    expect(read.body).toEqual(stream);
  });

  it.each([
    [{ method: PUSH, endpoint_url: 'http://receiver.example.com/events' }, 'http outside local mode'],
    [{ method: PUSH }, 'no endpoint'],
    [{ method: PUSH, endpoint_url: 'receiver.example.com' }, 'not a URL'],
    [{ method: PUSH, endpoint_url: 'https://user:pw@receiver.example.com/' }, 'credentials in the URL'],
    [{ method: POLL, authorization_header: 'Bearer x' }, 'an authorization header for poll'],
  ])('refuses delivery %j (%s) with 400 STREAM_DELIVERY_INVALID', async (delivery, _case) => {
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).post('/ssf/stream').set('authorization', receiver.auth).send({ delivery }), 400, 'STREAM_DELIVERY_INVALID');
  });

  it('accepts an http push endpoint in local mode', async () => {
    const local = createTestApp({ db: database.db, env: 'local' });
    const receiver = await newReceiver(local);
    const stream = await newStream(receiver.auth, { delivery: { method: PUSH, endpoint_url: 'http://localhost:9000/events' } }, local);
    expect(stream.delivery).toEqual({ method: PUSH, endpoint_url: 'http://localhost:9000/events' });
  });

  it.each([
    { iss: TEST_ISSUER },
    { stream_id: NO_SUCH_STREAM },
    { events_delivered: [] },
    { min_verification_interval: 1 },
    { delivery: { method: POLL, endpoint_url: 'https://elsewhere.example.com/poll' } },
  ])('refuses the Transmitter-Supplied member in %j with 400 STREAM_READ_ONLY_FIELD', async (body) => {
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).post('/ssf/stream').set('authorization', receiver.auth).send(body), 400, 'STREAM_READ_ONLY_FIELD');
  });

  it('refuses a malformed body with 400 VALIDATION_FAILED naming the fields', async () => {
    const receiver = await newReceiver();
    const body = expectProblem(
      await request(testApp.app)
        .post('/ssf/stream')
        .set('authorization', receiver.auth)
        .send({ delivery: { method: 'urn:example:carrier-pigeon' }, events_requested: 'all', format: 'phone' }),
      400,
      'VALIDATION_FAILED',
    );
    expect((body.errors as { field: string }[]).map((error) => error.field).sort()).toEqual(['delivery.method', 'events_requested', 'format']);
  });

  it('refuses a request without a receiver credential, or with a wrong one, with 401 RECEIVER_UNAUTHORIZED', async () => {
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).post('/ssf/stream').send({}), 401, 'RECEIVER_UNAUTHORIZED');
    const wrong = `${receiver.auth.slice(0, -4)}AAAA`;
    expectProblem(await request(testApp.app).get('/ssf/stream').set('authorization', wrong), 401, 'RECEIVER_UNAUTHORIZED');
  });
});

describe('GET /ssf/stream', () => {
  it("lists the receiver's own streams only, and an empty array when it has none", async () => {
    const [alice, bob] = [await newReceiver(), await newReceiver()];
    const first = await newStream(alice.auth, { description: 'first' });
    // Oldest first: the order is the creation time's, so the two must not share one.
    testApp.clock.advance(1000);
    const second = await newStream(alice.auth, { description: 'second' });
    await newStream(bob.auth);
    const res = await request(testApp.app).get('/ssf/stream').set('authorization', alice.auth).expect(200);
    expect((res.body as { stream_id: string }[]).map((stream) => stream.stream_id)).toEqual([first.stream_id, second.stream_id]);
    const carol = await newReceiver();
    await request(testApp.app).get('/ssf/stream').set('authorization', carol.auth).expect(200, []);
  });
});

describe("another receiver's stream", () => {
  // Ownership isolation: every endpoint answers the same 404 for another receiver's stream as for none at all.
  it.each([
    ['GET', '/ssf/stream', 'query'],
    ['PATCH', '/ssf/stream', 'body'],
    ['PUT', '/ssf/stream', 'body'],
    ['DELETE', '/ssf/stream', 'query'],
    ['GET', '/ssf/status', 'query'],
    ['POST', '/ssf/status', 'body'],
    ['POST', '/ssf/verify', 'body'],
  ])('is 404 STREAM_NOT_FOUND on %s %s, like a nonexistent one, and stays unchanged', async (method, path, where) => {
    const [alice, mallory] = [await newReceiver(), await newReceiver()];
    const stream = await newStream(alice.auth, { description: 'alice' });
    for (const streamId of [stream.stream_id, NO_SUCH_STREAM, 'not-a-uuid']) {
      const params = { stream_id: streamId, status: 'disabled', description: 'mallory' };
      const call = request(testApp.app)[method.toLowerCase() as 'get'](path).set('authorization', mallory.auth);
      expectProblem(await (where === 'query' ? call.query(params) : call.send(params)), 404, 'STREAM_NOT_FOUND');
    }
    const read = await request(testApp.app).get('/ssf/stream').query({ stream_id: stream.stream_id }).set('authorization', alice.auth).expect(200);
    expect(read.body).toEqual(stream);
    await request(testApp.app)
      .get('/ssf/status')
      .query({ stream_id: stream.stream_id })
      .set('authorization', alice.auth)
      .expect(200, { stream_id: stream.stream_id, status: 'enabled' });
    expect(await outbox(stream.stream_id)).toEqual([]);
  });
});

describe('PATCH and PUT /ssf/stream', () => {
  it('PATCH changes the members given and keeps the others; events_delivered follows events_requested', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth, { events_requested: [SECURITY_EVENT_TYPES.accountDisabled], description: 'before', format: 'email' });
    const res = await request(testApp.app)
      .patch('/ssf/stream')
      .set('authorization', receiver.auth)
      .send({ stream_id: stream.stream_id, events_requested: [SECURITY_EVENT_TYPES.accountEnabled] })
      .expect(200);
    expect(res.body).toEqual({ ...stream, events_requested: [SECURITY_EVENT_TYPES.accountEnabled], events_delivered: [SECURITY_EVENT_TYPES.accountEnabled] });
  });

  it('PUT replaces the configuration: absent members go back to their defaults', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth, {
      events_requested: [SECURITY_EVENT_TYPES.accountDisabled],
      description: 'before',
      format: 'email',
      delivery: { method: PUSH, endpoint_url: 'https://receiver.example.com/events' },
    });
    const res = await request(testApp.app).put('/ssf/stream').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, events_requested: [] }).expect(200);
    expect(res.body).toEqual({
      ...stream,
      events_requested: [],
      events_delivered: [],
      description: undefined,
      format: 'iss_sub',
      delivery: { method: POLL, endpoint_url: `${TEST_ISSUER}/ssf/poll/${stream.stream_id}` },
    });
  });

  it('accepts Transmitter-Supplied members sent back unchanged (a GET echoed in a PUT)', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth, { description: 'echo' });
    const res = await request(testApp.app).put('/ssf/stream').set('authorization', receiver.auth).send(stream);
    expect(res.body).toEqual(stream);
  });

  it.each([{ iss: 'https://evil.example.com' }, { aud: 'someone-else' }, { events_delivered: [SECURITY_EVENT_TYPES.accountEnabled] }, { min_verification_interval: 0 }])(
    'refuses a changed Transmitter-Supplied member %j with 400 STREAM_READ_ONLY_FIELD',
    async (change) => {
      const receiver = await newReceiver();
      const stream = await newStream(receiver.auth);
      for (const method of ['patch', 'put'] as const) {
        const call = method === 'patch' ? request(testApp.app).patch('/ssf/stream') : request(testApp.app).put('/ssf/stream');
        expectProblem(await call.set('authorization', receiver.auth).send({ stream_id: stream.stream_id, ...change }), 400, 'STREAM_READ_ONLY_FIELD');
      }
    },
  );

  it('refuses an update without stream_id with 400 VALIDATION_FAILED', async () => {
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).patch('/ssf/stream').set('authorization', receiver.auth).send({ description: 'x' }), 400, 'VALIDATION_FAILED');
  });
});

describe('DELETE /ssf/stream', () => {
  it('deletes the stream and its SETs: 204, then 404', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    await pendingEvent(stream.stream_id, 'jti-1');
    await request(testApp.app).delete('/ssf/stream').query({ stream_id: stream.stream_id }).set('authorization', receiver.auth).expect(204);
    expectProblem(await request(testApp.app).get('/ssf/stream').query({ stream_id: stream.stream_id }).set('authorization', receiver.auth), 404, 'STREAM_NOT_FOUND');
    expect(await outbox(stream.stream_id)).toEqual([]);
  });
});

describe('POST /ssf/status', () => {
  it('writes a stream-updated SET into the outbox with the change, and wakes delivery', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    const woken = testApp.pending.wait(stream.stream_id, 10_000);
    await request(testApp.app)
      .post('/ssf/status')
      .set('authorization', receiver.auth)
      .send({ stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' })
      .expect(200, { stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' });
    await expect(woken).resolves.toBe(true);
    expect(await outbox(stream.stream_id)).toEqual([
      {
        state: 'pending',
        eventType: SECURITY_EVENT_TYPES.streamUpdated,
        claims: expect.objectContaining({
          iss: TEST_ISSUER,
          aud: receiver.id,
          sub_id: { format: 'opaque', id: stream.stream_id },
          events: { [SECURITY_EVENT_TYPES.streamUpdated]: { status: 'paused', reason: 'maintenance' } },
        }),
      },
    ]);
    await request(testApp.app)
      .get('/ssf/status')
      .query({ stream_id: stream.stream_id })
      .set('authorization', receiver.auth)
      .expect(200, { stream_id: stream.stream_id, status: 'paused', reason: 'maintenance' });
  });

  it('pausing keeps the held SETs; disabling drops them, the stream-updated SET staying the one pending', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    await pendingEvent(stream.stream_id, 'jti-1');
    await request(testApp.app).post('/ssf/status').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, status: 'paused' }).expect(200);
    expect((await outbox(stream.stream_id)).map((row) => row.eventType)).toEqual([SECURITY_EVENT_TYPES.accountDisabled, SECURITY_EVENT_TYPES.streamUpdated]);

    await request(testApp.app).post('/ssf/status').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, status: 'disabled' }).expect(200);
    const rows = await outbox(stream.stream_id);
    expect(rows.map((row) => [row.state, row.eventType])).toEqual([['pending', SECURITY_EVENT_TYPES.streamUpdated]]);
    expect(rows[0]?.claims.events).toEqual({ [SECURITY_EVENT_TYPES.streamUpdated]: { status: 'disabled' } });
  });

  it('writes nothing when the status does not change', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    await request(testApp.app).post('/ssf/status').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, status: 'enabled' }).expect(200);
    expect(await outbox(stream.stream_id)).toEqual([]);
  });

  it('refuses an unknown status with 400 VALIDATION_FAILED', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    expectProblem(
      await request(testApp.app).post('/ssf/status').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, status: 'asleep' }),
      400,
      'VALIDATION_FAILED',
    );
  });
});

describe('POST /ssf/verify', () => {
  it("writes a verification SET with the receiver's state and wakes delivery: 204", async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    const woken = testApp.pending.wait(stream.stream_id, 10_000);
    await request(testApp.app).post('/ssf/verify').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, state: 'abc123' }).expect(204);
    await expect(woken).resolves.toBe(true);
    expect(await outbox(stream.stream_id)).toEqual([
      {
        state: 'pending',
        eventType: SECURITY_EVENT_TYPES.verification,
        claims: expect.objectContaining({
          aud: receiver.id,
          sub_id: { format: 'opaque', id: stream.stream_id },
          events: { [SECURITY_EVENT_TYPES.verification]: { state: 'abc123' } },
        }),
      },
    ]);
  });

  it('refuses a second request within min_verification_interval with 429 VERIFICATION_TOO_FREQUENT and Retry-After, and accepts it after', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    const verify = () => request(testApp.app).post('/ssf/verify').set('authorization', receiver.auth).send({ stream_id: stream.stream_id });
    await verify().expect(204);
    testApp.clock.advance(10_000);
    const refused = await verify();
    expectProblem(refused, 429, 'VERIFICATION_TOO_FREQUENT');
    expect(refused.headers['retry-after']).toBe('20');
    testApp.clock.advance(20_000);
    await verify().expect(204);
    expect((await outbox(stream.stream_id)).map((row) => row.eventType)).toEqual([SECURITY_EVENT_TYPES.verification, SECURITY_EVENT_TYPES.verification]);
  });

  it('refuses a disabled stream with 409 STREAM_DISABLED', async () => {
    const receiver = await newReceiver();
    const stream = await newStream(receiver.auth);
    await request(testApp.app).post('/ssf/status').set('authorization', receiver.auth).send({ stream_id: stream.stream_id, status: 'disabled' }).expect(200);
    expectProblem(await request(testApp.app).post('/ssf/verify').set('authorization', receiver.auth).send({ stream_id: stream.stream_id }), 409, 'STREAM_DISABLED');
  });
});
