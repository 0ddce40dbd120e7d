import { expectProblem } from '@veto/test-kit';
import { asc, eq } from 'drizzle-orm';
import request from 'supertest';
import { securityEvents } from '../../data-access/schema';
import { insertSecurityEvent } from '../../data-access/security-events-repository';
import { RECEIVER_REVOKED_REASON } from '../../domain/manage-receivers';
import { SECURITY_EVENT_TYPES } from '../../domain/security-event-types';
import { adminToken, createTestApp, type TestApp } from '../../test-support/test-app';
import { openSignalsTestDatabase, type SignalsTestDatabase } from '../../test-support/test-database';

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

const asAdmin = () => `Bearer ${adminToken(testApp.clock)}`;

async function newReceiver(name = 'Acme SIEM'): Promise<{ id: string; credential: string; auth: string; body: Record<string, unknown> }> {
  const res = await request(testApp.app).post('/api/admin/receivers').set('authorization', asAdmin()).send({ name }).expect(201);
  const body = res.body as { id: string; credential: string };
  return { id: body.id, credential: body.credential, auth: `Bearer ${body.credential}`, body };
}

async function newStream(auth: string): Promise<string> {
  const res = await request(testApp.app).post('/ssf/stream').set('authorization', auth).send({}).expect(201);
  return (res.body as { stream_id: string }).stream_id;
}

async function outbox(streamId: string) {
  return database.db.select().from(securityEvents).where(eq(securityEvents.streamId, streamId)).orderBy(asc(securityEvents.seq));
}

/** A SET push gave up on: written as the consumer would, then marked dead as push does. */
async function deadEvent(streamId: string, jti: string): Promise<number> {
  await insertSecurityEvent(database.db, { streamId, jti, eventType: SECURITY_EVENT_TYPES.sessionRevoked, sourceId: jti, token: 'h.p.s', createdAt: new Date(testApp.clock()) });
  const [row] = await database.db
    .update(securityEvents)
    .set({ state: 'dead', attempts: 8, lastError: 'HTTP 503', nextAttemptAt: new Date(testApp.clock()) })
    .where(eq(securityEvents.jti, jti))
    .returning({ seq: securityEvents.seq });
  return row?.seq ?? -1;
}

describe('admin authentication', () => {
  it.each([
    ['GET', '/api/admin/receivers'],
    ['POST', '/api/admin/receivers'],
    ['POST', '/api/admin/receivers/00000000-0000-4000-8000-000000000000/revoke'],
    ['GET', '/api/admin/dead-letters'],
    ['POST', '/api/admin/dead-letters/redrive'],
  ])('%s %s: 401 TOKEN_MISSING without a token, 401 for a bad one, 403 FORBIDDEN_ROLE for a user', async (method, path) => {
    const call = () => request(testApp.app)[method.toLowerCase() as 'get'](path);
    expectProblem(await call(), 401, 'TOKEN_MISSING');
    expectProblem(await call().set('authorization', 'Bearer not-a-token'), 401, 'TOKEN_MALFORMED');
    expectProblem(await call().set('authorization', `Bearer ${adminToken(testApp.clock, { role: 'user' })}`), 403, 'FORBIDDEN_ROLE');
  });

  it("refuses an expired admin token, a receiver's credential, and an admin token revoked by a ban", async () => {
    const stale = adminToken(testApp.clock);
    testApp.clock.advance(16 * 60_000);
    expectProblem(await request(testApp.app).get('/api/admin/receivers').set('authorization', `Bearer ${stale}`), 401, 'TOKEN_EXPIRED');
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).get('/api/admin/receivers').set('authorization', receiver.auth), 401, 'TOKEN_MALFORMED');
    const token = adminToken(testApp.clock);
    testApp.clock.advance(1000);
    testApp.revocations.revokeUser('admin-1', testApp.clock());
    expectProblem(await request(testApp.app).get('/api/admin/receivers').set('authorization', `Bearer ${token}`), 401, 'TOKEN_REVOKED');
  });
});

describe('the admin console cookie', () => {
  it("is accepted from the console's own requests, and refused on another site's POST with 403 CROSS_SITE_REQUEST", async () => {
    const cookie = `veto_access=${adminToken(testApp.clock)}`;
    await request(testApp.app).post('/api/admin/receivers').set('cookie', cookie).send({ name: 'via cookie' }).expect(201);
    expectProblem(
      await request(testApp.app).post('/api/admin/receivers').set('cookie', cookie).set('origin', 'https://evil.example.com').send({ name: 'forged' }),
      403,
      'CROSS_SITE_REQUEST',
    );
    const list = await request(testApp.app).get('/api/admin/receivers').set('cookie', cookie).expect(200);
    expect((list.body as { receivers: { name: string }[] }).receivers.map((receiver) => receiver.name)).toEqual(['via cookie']);
  });
});

describe('POST /api/admin/receivers', () => {
  it('registers a receiver and shows its credential once; the credential authenticates it', async () => {
    const receiver = await newReceiver('  Acme SIEM  ');
    expect(receiver.body).toEqual({ id: receiver.id, name: 'Acme SIEM', created_at: new Date(testApp.clock()).toISOString(), credential: expect.stringMatching(/^vetorcv\./) });
    await request(testApp.app).get('/ssf/stream').set('authorization', receiver.auth).expect(200, []);
    const list = await request(testApp.app).get('/api/admin/receivers').set('authorization', asAdmin()).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(receiver.credential.split('.')[2]);
  });

  it('refuses an empty name with 400 VALIDATION_FAILED', async () => {
    expectProblem(await request(testApp.app).post('/api/admin/receivers').set('authorization', asAdmin()).send({ name: ' ' }), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/admin/receivers', () => {
  it('answers an empty list when there are no receivers', async () => {
    await request(testApp.app).get('/api/admin/receivers').set('authorization', asAdmin()).expect(200, { receivers: [] });
  });

  it('lists every receiver with its streams', async () => {
    const [alice, bob] = [await newReceiver('alice'), await newReceiver('bob')];
    const streamId = await newStream(alice.auth);
    const res = await request(testApp.app).get('/api/admin/receivers').set('authorization', asAdmin()).expect(200);
    expect(res.body).toEqual({
      receivers: expect.arrayContaining([
        {
          id: alice.id,
          name: 'alice',
          created_at: expect.any(String),
          revoked_at: null,
          revoked_reason: null,
          streams: [{ stream_id: streamId, status: 'enabled', delivery_method: 'urn:ietf:rfc:8936', description: null }],
        },
        { id: bob.id, name: 'bob', created_at: expect.any(String), revoked_at: null, revoked_reason: null, streams: [] },
      ]),
    });
    expect((res.body as { receivers: unknown[] }).receivers).toHaveLength(2);
  });
});

describe('POST /api/admin/receivers/:id/revoke', () => {
  it("refuses the credential at once, and disables the receiver's streams with a stream-updated SET, dropping what they held", async () => {
    const receiver = await newReceiver();
    const streamId = await newStream(receiver.auth);
    await insertSecurityEvent(database.db, {
      streamId,
      jti: 'held',
      eventType: SECURITY_EVENT_TYPES.accountDisabled,
      sourceId: 'held',
      token: 'h.p.s',
      createdAt: new Date(testApp.clock()),
    });
    const woken = testApp.pending.wait(streamId, 10_000);
    const res = await request(testApp.app).post(`/api/admin/receivers/${receiver.id}/revoke`).set('authorization', asAdmin()).send({ reason: 'contract ended' }).expect(200);
    expect(res.body).toMatchObject({
      id: receiver.id,
      revoked_at: new Date(testApp.clock()).toISOString(),
      revoked_reason: 'contract ended',
      streams: [{ stream_id: streamId, status: 'disabled' }],
    });
    await expect(woken).resolves.toBe(true);
    expectProblem(await request(testApp.app).get('/ssf/stream').set('authorization', receiver.auth), 401, 'RECEIVER_UNAUTHORIZED');
    const rows = await outbox(streamId);
    expect(rows.map((row) => [row.state, row.eventType])).toEqual([['pending', SECURITY_EVENT_TYPES.streamUpdated]]);
    const claims = JSON.parse(Buffer.from(rows[0]?.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(claims.events).toEqual({ [SECURITY_EVENT_TYPES.streamUpdated]: { status: 'disabled', reason: RECEIVER_REVOKED_REASON } });
  });

  it('is idempotent: revoking again keeps the first time and reason and writes no SET', async () => {
    const receiver = await newReceiver();
    const streamId = await newStream(receiver.auth);
    const first = await request(testApp.app).post(`/api/admin/receivers/${receiver.id}/revoke`).set('authorization', asAdmin()).send({ reason: 'first' }).expect(200);
    testApp.clock.advance(60_000);
    const second = await request(testApp.app).post(`/api/admin/receivers/${receiver.id}/revoke`).set('authorization', asAdmin()).send({ reason: 'second' }).expect(200);
    expect(second.body).toEqual(first.body);
    expect(await outbox(streamId)).toHaveLength(1);
  });

  it('needs a reason (400 VALIDATION_FAILED) and a known receiver (404 RECEIVER_NOT_FOUND)', async () => {
    const receiver = await newReceiver();
    expectProblem(await request(testApp.app).post(`/api/admin/receivers/${receiver.id}/revoke`).set('authorization', asAdmin()).send({ reason: '' }), 400, 'VALIDATION_FAILED');
    expectProblem(await request(testApp.app).post(`/api/admin/receivers/${receiver.id}/revoke`).set('authorization', asAdmin()).send({}), 400, 'VALIDATION_FAILED');
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expectProblem(await request(testApp.app).post(`/api/admin/receivers/${id}/revoke`).set('authorization', asAdmin()).send({ reason: 'x' }), 404, 'RECEIVER_NOT_FOUND');
    }
    await request(testApp.app).get('/ssf/stream').set('authorization', receiver.auth).expect(200);
  });
});

describe('dead letters', () => {
  it('lists the dead SETs, of all streams or of one, oldest first, without their tokens', async () => {
    const receiver = await newReceiver();
    const [one, two] = [await newStream(receiver.auth), await newStream(receiver.auth)];
    const seqOne = await deadEvent(one, 'dead-1');
    const seqTwo = await deadEvent(two, 'dead-2');
    await insertSecurityEvent(database.db, {
      streamId: one,
      jti: 'alive',
      eventType: SECURITY_EVENT_TYPES.accountEnabled,
      sourceId: 'alive',
      token: 'h.p.s',
      createdAt: new Date(testApp.clock()),
    });
    const all = await request(testApp.app).get('/api/admin/dead-letters').set('authorization', asAdmin()).expect(200);
    expect(all.body).toEqual({
      dead_letters: [
        {
          seq: seqOne,
          stream_id: one,
          receiver_id: receiver.id,
          jti: 'dead-1',
          event_type: SECURITY_EVENT_TYPES.sessionRevoked,
          attempts: 8,
          last_error: 'HTTP 503',
          created_at: new Date(testApp.clock()).toISOString(),
        },
        expect.objectContaining({ seq: seqTwo, stream_id: two, jti: 'dead-2' }),
      ],
    });
    const ofTwo = await request(testApp.app).get('/api/admin/dead-letters').query({ stream_id: two, limit: '10' }).set('authorization', asAdmin()).expect(200);
    expect((ofTwo.body as { dead_letters: { jti: string }[] }).dead_letters.map((row) => row.jti)).toEqual(['dead-2']);
    const limited = await request(testApp.app).get('/api/admin/dead-letters').query({ limit: '1' }).set('authorization', asAdmin()).expect(200);
    expect((limited.body as { dead_letters: unknown[] }).dead_letters).toHaveLength(1);
    expectProblem(await request(testApp.app).get('/api/admin/dead-letters').query({ limit: '0' }).set('authorization', asAdmin()), 400, 'VALIDATION_FAILED');
  });

  it('re-drives the dead SETs of a stream (all, or the seqs given) back to pending with no attempts, and wakes delivery', async () => {
    const receiver = await newReceiver();
    const streamId = await newStream(receiver.auth);
    const [first, second] = [await deadEvent(streamId, 'dead-1'), await deadEvent(streamId, 'dead-2')];
    const woken = testApp.pending.wait(streamId, 10_000);
    await request(testApp.app)
      .post('/api/admin/dead-letters/redrive')
      .set('authorization', asAdmin())
      .send({ stream_id: streamId, seqs: [first] })
      .expect(200, { redriven: 1 });
    await expect(woken).resolves.toBe(true);
    expect((await outbox(streamId)).map((row) => [row.seq, row.state, row.attempts, row.nextAttemptAt])).toEqual([
      [first, 'pending', 0, null],
      [second, 'dead', 8, expect.any(Date)],
    ]);
    await request(testApp.app).post('/api/admin/dead-letters/redrive').set('authorization', asAdmin()).send({ stream_id: streamId }).expect(200, { redriven: 1 });
    await request(testApp.app).post('/api/admin/dead-letters/redrive').set('authorization', asAdmin()).send({ stream_id: streamId }).expect(200, { redriven: 0 });
  });

  it('refuses to re-drive an unknown stream with 404 STREAM_NOT_FOUND, and a malformed request with 400 VALIDATION_FAILED', async () => {
    expectProblem(
      await request(testApp.app).post('/api/admin/dead-letters/redrive').set('authorization', asAdmin()).send({ stream_id: '00000000-0000-4000-8000-000000000000' }),
      404,
      'STREAM_NOT_FOUND',
    );
    expectProblem(await request(testApp.app).post('/api/admin/dead-letters/redrive').set('authorization', asAdmin()).send({ stream_id: 'x', seqs: [] }), 400, 'VALIDATION_FAILED');
  });
});
