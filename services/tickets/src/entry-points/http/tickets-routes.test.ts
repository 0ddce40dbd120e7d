import { randomUUID } from 'node:crypto';
import { createTestKeyPair, signCompactJws, signTestToken, TEST_KEY_PAIR } from '@veto/auth-lib/testing';
import type { NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { selectRows } from '@veto/storage';
import { availableDrivers } from '@veto/storage/testing';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { MAX_PRICE_CENTS } from '../../domain/ticket';
import { createTestApp, tokenFor, type TestApp } from '../../test-support/test-app';
import { createTestBus } from '../../test-support/test-bus';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../../test-support/test-database';

describe.each(availableDrivers())('tickets API on %s', (driver) => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let database: TicketsTestDatabase;
  let testApp: TestApp;
  const seller = randomUUID();
  const buyer = randomUUID();

  beforeAll(async () => {
    [server, database] = await Promise.all([startNatsServer(), openTicketsTestDatabase(driver)]);
    nc = await connectTo(server);
    testApp = createTestApp({ database, nc, streams: await createTestBus(nc) });
    await testApp.feed.ready;
  });
  beforeEach(() => database.reset());
  afterAll(async () => {
    await testApp.stop();
    await nc.close();
    await Promise.all([server.cleanup(), database.close()]);
  });

  const as = (userId: string) => ({ authorization: `Bearer ${tokenFor(userId)}` });
  const create = (userId: string, body: object) => request(testApp.app).post('/api/tickets').set(as(userId)).send(body);

  async function aTicket(userId = seller, body: object = { title: 'Concert', price: 4500 }) {
    const res = await create(userId, body).expect(201);
    return res.body as { id: string; version: number; createdAt: string };
  }

  describe('POST /api/tickets', () => {
    it('creates a listed ticket at version 1 owned by the caller, with the title trimmed', async () => {
      const res = await create(seller, { title: '  Concert  ', price: 4500 }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        title: 'Concert',
        price: 4500,
        ownerId: seller,
        version: 1,
        listed: true,
        createdAt: expect.stringMatching(/\.\d{3}Z$/),
        updatedAt: res.body.createdAt,
      });
      const rows = await selectRows<{ owner_id: string }>(database.db, sql`SELECT owner_id FROM tickets WHERE id = ${res.body.id}`);
      expect(rows).toEqual([{ owner_id: seller }]);
    });

    it('accepts the token from the veto_access cookie', async () => {
      await request(testApp.app)
        .post('/api/tickets')
        .set('cookie', `veto_access=${tokenFor(seller)}`)
        .send({ title: 'Play', price: 100 })
        .expect(201);
    });

    it.each([
      [{ title: '   ', price: 100 }, 'title'],
      [{ title: 'x'.repeat(201), price: 100 }, 'title'],
      [{ price: 100 }, 'title'],
      [{ title: 'Play', price: 0 }, 'price'],
      [{ title: 'Play', price: -5 }, 'price'],
      [{ title: 'Play', price: 10.5 }, 'price'],
      [{ title: 'Play', price: '100' }, 'price'],
      [{ title: 'Play', price: MAX_PRICE_CENTS + 1 }, 'price'],
    ])('rejects %j with 400 VALIDATION_FAILED on %s', async (body, field) => {
      const res = await create(seller, body);
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(JSON.parse(res.text).errors).toEqual([{ field, message: expect.any(String) }]);
    });

    it('accepts a 200-character title and the maximum price', async () => {
      await create(seller, { title: 'x'.repeat(200), price: MAX_PRICE_CENTS }).expect(201);
    });

    it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
      expectProblem(await request(testApp.app).post('/api/tickets').set(as(seller)).set('content-type', 'application/json').send('{"title": '), 400, 'MALFORMED_JSON');
    });

    it('answers a body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
      expectProblem(await create(seller, { title: 'x', price: 1, padding: 'y'.repeat(17 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
      expectProblem(await request(testApp.app).post('/api/tickets').set(as(seller)).set('content-type', 'text/plain').send('title=x'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('authentication', () => {
    const route = () => request(testApp.app).get('/api/tickets');

    it('answers a request without a token with 401 TOKEN_MISSING', async () => {
      const res = await route();
      expectProblem(res, 401, 'TOKEN_MISSING');
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers an expired token with 401 TOKEN_EXPIRED', async () => {
      const expired = signTestToken({ sub: seller }, { now: Date.now() - 3600_000, ttlSeconds: 900 });
      expectProblem(await route().set('authorization', `Bearer ${expired}`), 401, 'TOKEN_EXPIRED');
    });

    it('answers a token signed by another key with the known kid with 401 TOKEN_INVALID_SIGNATURE', async () => {
      const forged = signTestToken({ sub: seller }, { keyPair: { ...createTestKeyPair('attacker'), kid: TEST_KEY_PAIR.kid } });
      expectProblem(await route().set('authorization', `Bearer ${forged}`), 401, 'TOKEN_INVALID_SIGNATURE');
    });

    it('answers a token with a tampered payload with 401 TOKEN_INVALID_SIGNATURE', async () => {
      const [header = '', payload = '', signature = ''] = tokenFor(seller).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      const tampered = Buffer.from(JSON.stringify({ ...claims, sub: buyer })).toString('base64url');
      expectProblem(await route().set('authorization', `Bearer ${header}.${tampered}.${signature}`), 401, 'TOKEN_INVALID_SIGNATURE');
    });

    it('answers an unsigned token with 401 TOKEN_WRONG_ALGORITHM', async () => {
      const none = signCompactJws({ alg: 'none', kid: TEST_KEY_PAIR.kid }, { sub: seller }, TEST_KEY_PAIR.privateKey);
      expectProblem(await route().set('authorization', `Bearer ${none}`), 401, 'TOKEN_WRONG_ALGORITHM');
    });

    it('answers a token for another audience with 401 TOKEN_WRONG_AUDIENCE', async () => {
      expectProblem(await route().set('authorization', `Bearer ${signTestToken({ sub: seller, aud: 'elsewhere' })}`), 401, 'TOKEN_WRONG_AUDIENCE');
    });
  });

  describe('GET /api/tickets', () => {
    it('pages through the listed tickets newest first without skipping or repeating, then ends', async () => {
      const created = [];
      for (let i = 0; i < 5; i++) created.push(await aTicket(seller, { title: `T${i}`, price: 100 + i }));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await request(testApp.app)
          .get('/api/tickets')
          .query({ limit: 2, ...(cursor === undefined ? {} : { cursor }) })
          .set(as(buyer))
          .expect(200);
        seen.push(...(res.body.items as { id: string }[]).map((item) => item.id));
        cursor = res.body.nextCursor ?? undefined;
        pages++;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      const expectedOrder = [...created].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)).map((t) => t.id);
      expect(seen).toEqual(expectedOrder);
    });

    it('leaves out unlisted tickets', async () => {
      const listed = await aTicket();
      const hidden = await aTicket();
      await request(testApp.app).put(`/api/tickets/${hidden.id}`).set(as(seller)).send({ title: 'Concert', price: 4500, version: 1, listed: false }).expect(200);
      const res = await request(testApp.app).get('/api/tickets').set(as(buyer)).expect(200);
      expect(res.body).toEqual({ items: [expect.objectContaining({ id: listed.id })], nextCursor: null });
    });

    it.each([{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { limit: '-1' }, { cursor: 'not-a-cursor' }, { cursor: Buffer.from('["x","y"]').toString('base64url') }])(
      'rejects the query %j with 400 VALIDATION_FAILED',
      async (query) => {
        const res = await request(testApp.app).get('/api/tickets').query(query).set(as(buyer));
        expectProblem(res, 400, 'VALIDATION_FAILED');
        expect(JSON.parse(res.text).errors[0].field).toBe(Object.keys(query)[0]);
      },
    );
  });

  describe('GET /api/tickets/:id', () => {
    it('shows a listed ticket to anyone', async () => {
      const ticket = await aTicket();
      const res = await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as(buyer)).expect(200);
      expect(res.body).toMatchObject({ id: ticket.id, ownerId: seller, listed: true });
    });

    it('shows an unlisted ticket to its owner only', async () => {
      const ticket = await aTicket();
      await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title: 'Concert', price: 4500, version: 1, listed: false }).expect(200);
      await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as(seller)).expect(200);
      expectProblem(await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as(buyer)), 404, 'TICKET_NOT_FOUND');
    });

    it.each([randomUUID(), 'not-a-uuid'])('answers the unknown id %s with 404 TICKET_NOT_FOUND', async (id) => {
      expectProblem(await request(testApp.app).get(`/api/tickets/${id}`).set(as(buyer)), 404, 'TICKET_NOT_FOUND');
    });
  });

  describe('PUT /api/tickets/:id', () => {
    it('changes the ticket and increments its version', async () => {
      const ticket = await aTicket();
      const res = await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title: 'Opera', price: 9900, version: 1 }).expect(200);
      expect(res.body).toMatchObject({ id: ticket.id, title: 'Opera', price: 9900, version: 2, listed: true });
    });

    it('answers a stale version with 409 VERSION_CONFLICT and keeps the first write', async () => {
      const ticket = await aTicket();
      await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title: 'First', price: 100, version: 1 }).expect(200);
      expectProblem(await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title: 'Second', price: 200, version: 1 }), 409, 'VERSION_CONFLICT');
      const res = await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as(seller)).expect(200);
      expect(res.body).toMatchObject({ title: 'First', version: 2 });
    });

    it('lets exactly one of two concurrent writers at the same version win', async () => {
      const ticket = await aTicket();
      const put = (title: string) => request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title, price: 100, version: 1 });
      const statuses = (await Promise.all([put('A'), put('B')])).map((res) => res.status).sort();
      expect(statuses).toEqual([200, 409]);
    });

    it("answers someone else's ticket with 403 NOT_TICKET_OWNER and changes nothing", async () => {
      const ticket = await aTicket();
      expectProblem(await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(buyer)).send({ title: 'Mine now', price: 1, version: 1 }), 403, 'NOT_TICKET_OWNER');
      const rows = await selectRows<{ title: string; version: number }>(database.db, sql`SELECT title, version FROM tickets WHERE id = ${ticket.id}`);
      expect(rows).toEqual([{ title: 'Concert', version: 1 }]);
    });

    it('answers an unknown ticket with 404 TICKET_NOT_FOUND', async () => {
      expectProblem(await request(testApp.app).put(`/api/tickets/${randomUUID()}`).set(as(seller)).send({ title: 'X', price: 1, version: 1 }), 404, 'TICKET_NOT_FOUND');
    });

    it('rejects a body without a version with 400 VALIDATION_FAILED', async () => {
      const ticket = await aTicket();
      const res = await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as(seller)).send({ title: 'X', price: 1 });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(JSON.parse(res.text).errors).toEqual([{ field: 'version', message: expect.any(String) }]);
    });
  });

  it('answers an unknown route with 404 NOT_FOUND', async () => {
    expectProblem(await request(testApp.app).get('/api/nothing-here').set(as(buyer)), 404, 'NOT_FOUND');
  });
});
