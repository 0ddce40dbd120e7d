import pino from 'pino';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';

// One database for the file; the last test closes it to observe the service without one.
let database: TestDatabase;
let databaseClosed = false;
const logLines: Record<string, unknown>[] = [];
let t: TestApp;

beforeAll(async () => {
  database = await openTestDatabase();
  const logger = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  t = await createTestApp(database, {}, { logger });
});
afterAll(async () => {
  if (!databaseClosed) {
    await database.close();
  }
});

describe('operations endpoints', () => {
  it('answers /healthz while the process runs', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 while the database answers', async () => {
    const res = await request(t.app).get('/readyz').expect(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'up' } });
  });

  it('exposes Prometheus metrics including the request histogram by route', async () => {
    await request(t.app).get('/healthz').expect(200);
    const res = await request(t.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+/);
  });

  describe('once the database is gone', () => {
    beforeAll(async () => {
      await database.close();
      databaseClosed = true;
    });

    it('answers /readyz with 503 and logs why', async () => {
      const res = await request(t.app).get('/readyz').expect(503);
      expect(res.body).toEqual({ status: 'unavailable', checks: { database: 'down' } });
      expect(logLines.some((line) => line.msg === 'readiness check: database does not answer')).toBe(true);
    });

    it('keeps answering /healthz', async () => {
      await request(t.app).get('/healthz').expect(200);
    });

    it('turns an unexpected failure into 500 INTERNAL that leaks nothing, and logs it with the request id', async () => {
      const res = await request(t.app).post('/api/users/signin').set('X-Request-Id', 'req-500').send({ email: 'ada@example.com', password: 'whatever1' }).expect(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({ type: 'urn:veto:error:internal', title: 'Internal server error', status: 500, detail: 'Internal server error', code: 'INTERNAL' });
      const logged = logLines.find((line) => line.msg === 'unexpected error');
      expect(logged).toMatchObject({ level: 50, reqId: 'req-500', method: 'POST', path: '/api/users/signin' });
      expect(JSON.stringify(logLines)).not.toContain('whatever1');
    });
  });
});
