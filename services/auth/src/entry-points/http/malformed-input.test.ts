import { gzipSync } from 'node:zlib';
import { encodeCursor } from '@veto/service-kit';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, selectRows, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, TEST_PASSWORD, type TestUser } from '../../test-support/test-users';

// Input the database or express cannot take answers 4xx before anything is written, and is not
// logged as a failure of ours (an ERROR line feeds the 5xx alert).
let database: TestDatabase;
let t: TestApp;
let admin: TestUser;
let ada: TestUser;
const logLines: { level: number; msg: string }[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  t = await createTestApp(database, {}, { logger: pino({ level: 'trace' }, { write: (line: string) => logLines.push(JSON.parse(line) as { level: number; msg: string }) }) });
});
beforeEach(async () => {
  await database.reset();
  admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
  ada = await createTestUser(t.app, database.db, 'ada@example.com');
  logLines.length = 0;
});
afterAll(() => database.close());

const asAdmin = () => ({ Authorization: `Bearer ${admin.accessToken}` });

function expectRefused(res: request.Response, status: number, code: string): Record<string, unknown> {
  const body = expectProblem(res, status, code);
  // pino's error level is 50; the request line itself is info (30).
  expect(logLines.filter((line) => line.level >= 50)).toEqual([]);
  return body;
}

/** Every row an admin action or a sign-in could write, to compare before and after. */
async function writableState(): Promise<unknown[]> {
  return Promise.all([
    selectRows(database.db, sql`SELECT id, banned_at, ban_reason FROM users ORDER BY id`),
    selectRows(database.db, sql`SELECT id, revoked_at FROM sessions ORDER BY id`),
    selectRows(database.db, sql`SELECT id FROM outbox ORDER BY id`),
    selectRows(database.db, sql`SELECT id FROM audit_log ORDER BY id`),
    selectRows(database.db, sql`SELECT key, attempts FROM sign_in_attempts ORDER BY key`),
  ]);
}

describe('sign-in', () => {
  it('refuses a NUL character in the email with 400 VALIDATION_FAILED before counting an attempt', async () => {
    const before = await writableState();
    const res = await request(t.app).post('/api/users/signin').send({ email: 'ada@example.com\u0000', password: TEST_PASSWORD });
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'email', message: expect.any(String) }]);
    expect(await writableState()).toEqual(before);
  });

  it('refuses a corrupt gzip body with 400 MALFORMED_JSON before counting an attempt', async () => {
    const before = await writableState();
    const corrupt = gzipSync(Buffer.from(JSON.stringify({ email: 'ada@example.com', password: TEST_PASSWORD }))).subarray(0, 20);
    const res = await request(t.app)
      .post('/api/users/signin')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      // superagent JSON-serializes a Buffer under a JSON content type: send the bytes as they are.
      .serialize((bytes) => bytes as string)
      .send(corrupt);
    expectRefused(res, 400, 'MALFORMED_JSON');
    expect(await writableState()).toEqual(before);
  });

  it('refuses a Content-Encoding it does not know with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await request(t.app).post('/api/users/signin').set('Content-Encoding', 'x-zip').send({ email: 'ada@example.com', password: TEST_PASSWORD });
    expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('admin routes', () => {
  it.each([['/api/admin/users'], ['/api/admin/audit']])('refuse a page cursor at year 0000 on %s with 400 VALIDATION_FAILED on the cursor', async (path) => {
    const cursor = encodeCursor({ createdAt: new Date('0000-06-01T00:00:00.000Z'), id: ada.id });
    const res = await request(t.app).get(path).query({ cursor }).set(asAdmin());
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('refuse a NUL character in the user search with 400 VALIDATION_FAILED on the query', async () => {
    const res = await request(t.app).get('/api/admin/users').query({ query: 'ada\u0000' }).set(asAdmin());
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'query', message: expect.any(String) }]);
  });

  it.each([['ban'], ['unban'], ['sessions/revoke']])('refuse a NUL character in the reason of %s with 400 VALIDATION_FAILED and change nothing', async (action) => {
    const before = await writableState();
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/${action}`).set(asAdmin()).send({ reason: 'fraud\u0000' });
    expect(expectRefused(res, 400, 'VALIDATION_FAILED').errors).toEqual([{ field: 'reason', message: expect.any(String) }]);
    expect(await writableState()).toEqual(before);
  });

  it('refuse a user path that is not valid percent-encoding with 400 VALIDATION_FAILED and change nothing', async () => {
    const before = await writableState();
    expectRefused(await request(t.app).get('/api/admin/users/%E0%A4%A').set(asAdmin()), 400, 'VALIDATION_FAILED');
    expectRefused(await request(t.app).post('/api/admin/users/%E0%A4%A/ban').set(asAdmin()).send({ reason: 'fraud' }), 400, 'VALIDATION_FAILED');
    expect(await writableState()).toEqual(before);
  });
});
