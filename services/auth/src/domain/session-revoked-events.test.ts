import { sql } from 'drizzle-orm';
import request from 'supertest';
import { createTestApp, type TestApp } from '../test-support/test-app';
import { openTestDatabase, selectRows, type TestDatabase } from '../test-support/test-database';
import { createTestUser } from '../test-support/test-users';

let database: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database);
});
afterAll(() => database.close());

interface OutboxEvent {
  type: string;
  payload: { data: { userId: string; email?: string; sessionId: string; revokedAt: string } };
}

const outbox = () => selectRows<OutboxEvent>(database.db, sql`SELECT type, payload FROM outbox ORDER BY created_at, id`);
const sessionIdOf = (accessToken: string): string => JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()).sid;

describe('session.revoked events', () => {
  it('sign-out records one session.revoked for the ended session, and a second sign-out none', async () => {
    const ada = await createTestUser(t.app, database.db, 'ada@example.com');
    await request(t.app).post('/api/users/signout').send({ refreshToken: ada.refreshToken }).expect(204);
    await request(t.app).post('/api/users/signout').send({ refreshToken: ada.refreshToken }).expect(204);
    expect(await outbox()).toEqual([
      {
        type: 'session.revoked',
        payload: expect.objectContaining({
          data: { userId: ada.id, email: 'ada@example.com', sessionId: sessionIdOf(ada.accessToken), revokedAt: new Date(t.clock()).toISOString() },
        }),
      },
    ]);
  });

  it('the reuse of a rotated refresh token records session.revoked for its session', async () => {
    const ada = await createTestUser(t.app, database.db, 'ada@example.com');
    await request(t.app).post('/api/auth/refresh').send({ refreshToken: ada.refreshToken }).expect(200);
    const reuse = await request(t.app).post('/api/auth/refresh').send({ refreshToken: ada.refreshToken }).expect(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await outbox()).toEqual([
      {
        type: 'session.revoked',
        payload: expect.objectContaining({ data: expect.objectContaining({ userId: ada.id, email: 'ada@example.com', sessionId: sessionIdOf(ada.accessToken) }) }),
      },
    ]);
  });

  it('names the owner of the ended session by email when several users have sessions', async () => {
    await createTestUser(t.app, database.db, 'ada@example.com');
    const bob = await createTestUser(t.app, database.db, 'bob@example.com');
    await request(t.app).post('/api/users/signout').send({ refreshToken: bob.refreshToken }).expect(204);
    expect(await outbox()).toEqual([
      {
        type: 'session.revoked',
        payload: expect.objectContaining({ data: expect.objectContaining({ userId: bob.id, email: 'bob@example.com', sessionId: sessionIdOf(bob.accessToken) }) }),
      },
    ]);
  });

  it('leaves out an email the event schema refuses (an address stored before stricter checks) rather than failing the sign-out', async () => {
    const ada = await createTestUser(t.app, database.db, 'ada@example.com');
    await database.db.execute(sql`UPDATE users SET email = 'ada@localhost' WHERE id = ${ada.id}`);
    await request(t.app).post('/api/users/signout').send({ refreshToken: ada.refreshToken }).expect(204);
    expect(await outbox()).toEqual([
      {
        type: 'session.revoked',
        payload: expect.objectContaining({ data: { userId: ada.id, sessionId: sessionIdOf(ada.accessToken), revokedAt: new Date(t.clock()).toISOString() } }),
      },
    ]);
  });

  it('sign-in, sign-up and refresh record no event', async () => {
    const ada = await createTestUser(t.app, database.db, 'ada@example.com');
    await request(t.app).post('/api/auth/refresh').send({ refreshToken: ada.refreshToken }).expect(200);
    expect(await outbox()).toEqual([]);
  });
});
