import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { encodeCursor } from '@veto/service-kit';
import { selectRows } from '@veto/storage';
import { availableDrivers } from '@veto/storage/testing';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { createTestApp, tokenFor, type TestApp } from '../../test-support/test-app';
import { createTestBus } from '../../test-support/test-bus';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../../test-support/test-database';

// Input the database or express cannot take answers 4xx before anything is written, and is not
// logged as a failure of ours (an ERROR line feeds the 5xx alert).
describe.each(availableDrivers())('malformed input to the tickets API on %s', (driver) => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let database: TicketsTestDatabase;
  let testApp: TestApp;
  const logLines: { level: number; msg: string }[] = [];
  const seller = randomUUID();
  const as = { authorization: `Bearer ${tokenFor(seller)}` };

  beforeAll(async () => {
    [server, database] = await Promise.all([startNatsServer(), openTicketsTestDatabase(driver)]);
    nc = await connectTo(server);
    const logger = pino({ level: 'trace' }, { write: (line: string) => logLines.push(JSON.parse(line) as { level: number; msg: string }) });
    testApp = createTestApp({ database, nc, streams: await createTestBus(nc), logger });
    await testApp.feed.ready;
  });
  beforeEach(async () => {
    await database.reset();
    logLines.length = 0;
  });
  afterAll(async () => {
    await testApp.stop();
    await nc.close();
    await Promise.all([server.cleanup(), database.close()]);
  });

  function expectRefused(res: request.Response, status: number, code: string): Record<string, unknown> {
    const body = expectProblem(res, status, code);
    // pino's error level is 50; the request line itself is info (30).
    expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
    return body;
  }

  const ticketCount = async () => (await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM tickets`))[0]?.n;

  async function aTicket() {
    const res = await request(testApp.app).post('/api/tickets').set(as).send({ title: 'Concert', price: 4500 }).expect(201);
    logLines.length = 0;
    return res.body as { id: string; title: string; version: number; updatedAt: string };
  }

  it('refuses a NUL character in a new ticket title with 400 VALIDATION_FAILED and writes nothing', async () => {
    const body = expectRefused(await request(testApp.app).post('/api/tickets').set(as).send({ title: 'Con\u0000cert', price: 4500 }), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ field: 'title', message: expect.any(String) }]);
    expect(await ticketCount()).toBe(0);
  });

  it('refuses a NUL character in a changed title with 400 VALIDATION_FAILED and leaves the ticket unchanged', async () => {
    const ticket = await aTicket();
    const res = await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as).send({ title: '\u0000', price: 4500, version: 1 });
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'title', message: expect.any(String) }]);
    expect((await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as).expect(200)).body).toEqual(ticket);
  });

  it('refuses a version beyond the int32 column (2^31) with 400 VALIDATION_FAILED and leaves the ticket unchanged', async () => {
    const ticket = await aTicket();
    const res = await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as).send({ title: 'Opera', price: 4500, version: 2_147_483_648 });
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'version', message: expect.any(String) }]);
    expect((await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as).expect(200)).body).toEqual(ticket);
  });

  it('answers the int32 maximum as a version like any stale one: 409 VERSION_CONFLICT', async () => {
    const ticket = await aTicket();
    const res = await request(testApp.app).put(`/api/tickets/${ticket.id}`).set(as).send({ title: 'Opera', price: 4500, version: 2_147_483_647 });
    expectRefused(res, 409, 'VERSION_CONFLICT');
  });

  it.each([
    ['a page cursor at year 0000', encodeCursor({ createdAt: new Date('0000-06-01T00:00:00.000Z'), id: randomUUID() })],
    ['a page cursor holding a NUL', '\u0000'],
  ])('refuses %s with 400 VALIDATION_FAILED on the cursor', async (_name, cursor) => {
    await aTicket();
    const res = await request(testApp.app).get('/api/tickets').query({ cursor }).set(as);
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('refuses a ticket path that is not valid percent-encoding with 400 VALIDATION_FAILED, reading and writing alike', async () => {
    const ticket = await aTicket();
    expectRefused(await request(testApp.app).get('/api/tickets/%E0%A4%A').set(as), 400, 'VALIDATION_FAILED');
    expectRefused(await request(testApp.app).put('/api/tickets/%E0%A4%A').set(as).send({ title: 'Opera', price: 4500, version: 1 }), 400, 'VALIDATION_FAILED');
    expect((await request(testApp.app).get(`/api/tickets/${ticket.id}`).set(as).expect(200)).body).toEqual(ticket);
  });

  it('refuses a corrupt gzip body with 400 MALFORMED_JSON and writes nothing', async () => {
    const corrupt = gzipSync(Buffer.from(JSON.stringify({ title: 'Concert', price: 4500 }))).subarray(0, 15);
    const res = await request(testApp.app)
      .post('/api/tickets')
      .set(as)
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      // superagent JSON-serializes a Buffer under a JSON content type: send the bytes as they are.
      .serialize((bytes) => bytes as string)
      .send(corrupt);
    expectRefused(res, 400, 'MALFORMED_JSON');
    expect(await ticketCount()).toBe(0);
  });

  it('refuses a Content-Encoding it does not know with 415 UNSUPPORTED_MEDIA_TYPE and writes nothing', async () => {
    const res = await request(testApp.app).post('/api/tickets').set(as).set('content-encoding', 'x-zip').send({ title: 'Concert', price: 4500 });
    expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await ticketCount()).toBe(0);
  });
});
