import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { selectRows } from '../../test-support/test-database';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';
import { createTestUser, TEST_PASSWORD, type TestUser } from '../../test-support/test-users';

let database: TestDatabase;
let t: TestApp;
let admin: TestUser;
let ada: TestUser;

beforeAll(async () => {
  database = await openTestDatabase();
});
beforeEach(async () => {
  await database.reset();
  t = await createTestApp(database);
  admin = await createTestUser(t.app, database.db, 'root@example.com', 'admin');
  ada = await createTestUser(t.app, database.db, 'ada@example.com');
});
afterAll(() => database.close());

const as = (user: TestUser) => ({ Authorization: `Bearer ${user.accessToken}` });

async function outboxRows(): Promise<{ id: string; type: string; subject: string; payload: { data: Record<string, unknown> } }[]> {
  return selectRows(database.db, sql`SELECT id, type, subject, payload FROM outbox ORDER BY created_at, id`);
}

describe('admin routes require an admin', () => {
  const routes: [string, string][] = [
    ['get', '/api/admin/users'],
    ['get', `/api/admin/users/${randomUUID()}`],
    ['post', `/api/admin/users/${randomUUID()}/ban`],
    ['post', `/api/admin/users/${randomUUID()}/unban`],
    ['post', `/api/admin/users/${randomUUID()}/sessions/revoke`],
    ['get', '/api/admin/audit'],
    ['get', `/api/admin/events/${randomUUID()}/enforcement`],
    ['get', '/api/admin/instances'],
    ['post', `/api/admin/users/${randomUUID()}/ban?wait=enforced`],
  ];

  it.each(routes)('%s %s answers 401 TOKEN_MISSING without a token', async (method, path) => {
    expectProblem(await request(t.app)[method as 'get'](path), 401, 'TOKEN_MISSING');
  });

  it.each(routes)('%s %s answers 403 FORBIDDEN_ROLE to a user', async (method, path) => {
    expectProblem(await request(t.app)[method as 'get'](path).set(as(ada)), 403, 'FORBIDDEN_ROLE');
  });

  it('refuses an admin token whose holder was demoted since (the database decides)', async () => {
    await database.db.execute(sql`UPDATE users SET role = 'user' WHERE id = ${admin.id}`);
    expectProblem(await request(t.app).get('/api/admin/users').set(as(admin)), 403, 'FORBIDDEN_ROLE');
  });

  it('refuses an admin token whose session was signed out with 401 SESSION_REVOKED', async () => {
    await request(t.app).post('/api/users/signout').set(as(admin)).expect(204);
    expectProblem(await request(t.app).get('/api/admin/users').set(as(admin)), 401, 'SESSION_REVOKED');
  });
});

describe('POST /api/admin/users/:id/ban', () => {
  it('bans: 200 with the user and the event id; user, sessions, refresh tokens, outbox and audit change together', async () => {
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'fraud' }).expect(200);
    const bannedAt = new Date(t.clock()).toISOString();
    expect(res.body).toEqual({
      user: { id: ada.id, email: 'ada@example.com', role: 'user', createdAt: expect.any(String), bannedAt, banReason: 'fraud' },
      eventId: expect.any(String),
    });
    const [event] = await outboxRows();
    expect(event).toMatchObject({ id: res.body.eventId, type: 'user.banned', subject: 'auth.user.banned' });
    expect(event?.payload).toMatchObject({ id: res.body.eventId, type: 'user.banned', version: 1, source: 'auth', occurredAt: bannedAt });
    expect(event?.payload.data).toEqual({ userId: ada.id, email: 'ada@example.com', reason: 'fraud', revokedAt: bannedAt });
    const sessions = await selectRows<{ revoke_reason: string | null }>(database.db, sql`SELECT revoke_reason FROM sessions WHERE user_id = ${ada.id}`);
    expect(sessions).toEqual([{ revoke_reason: 'user_banned' }]);
    const live = await selectRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM refresh_tokens r JOIN sessions s ON s.id = r.session_id WHERE s.user_id = ${ada.id} AND r.revoked_at IS NULL`,
    );
    expect(live).toEqual([{ n: 0 }]);
    const audit = await request(t.app).get('/api/admin/audit').set(as(admin)).expect(200);
    expect(audit.body).toEqual({
      items: [{ id: expect.any(String), actorUserId: admin.id, action: 'user.banned', targetUserId: ada.id, reason: 'fraud', createdAt: bannedAt, eventId: res.body.eventId }],
      nextCursor: null,
    });
  });

  it('commits nothing when any write of the ban fails (one transaction)', async () => {
    // The audit insert is the last write of a ban: failing it must roll back the user, sessions and outbox rows.
    await database.db.execute(sql.raw(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused'; END $$`));
    await database.db.execute(sql.raw('CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit()'));
    try {
      expectProblem(await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'fraud' }), 500, 'INTERNAL');
    } finally {
      await database.db.execute(sql.raw('DROP TRIGGER refuse_audit ON audit_log'));
      await database.db.execute(sql.raw('DROP FUNCTION refuse_audit()'));
    }
    expect(await outboxRows()).toEqual([]);
    const [user] = await selectRows<{ banned_at: Date | null }>(database.db, sql`SELECT banned_at FROM users WHERE id = ${ada.id}`);
    expect(user?.banned_at).toBeNull();
    await request(t.app).get('/api/users/me').set(as(ada)).expect(200);
  });

  it('locks the banned user out of this service: refresh, sign-in and /me are refused', async () => {
    await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'fraud' }).expect(200);
    expectProblem(await request(t.app).post('/api/auth/refresh').send({ refreshToken: ada.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    expectProblem(await request(t.app).post('/api/users/signin').send({ email: ada.email, password: TEST_PASSWORD }), 403, 'USER_BANNED');
    expectProblem(await request(t.app).get('/api/users/me').set(as(ada)), 401, 'SESSION_REVOKED');
  });

  it('is idempotent: a second ban answers 200 with the same user and event id, and records nothing', async () => {
    const first = await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'fraud' }).expect(200);
    t.clock.advance(5_000);
    const second = await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'again' }).expect(200);
    expect(second.body).toEqual(first.body);
    expect(await outboxRows()).toHaveLength(1);
    const audit = await request(t.app).get('/api/admin/audit').set(as(admin)).expect(200);
    expect(audit.body.items).toHaveLength(1);
  });

  it('refuses to let an admin ban themselves with 409 CANNOT_BAN_SELF', async () => {
    expectProblem(await request(t.app).post(`/api/admin/users/${admin.id}/ban`).set(as(admin)).send({ reason: 'oops' }), 409, 'CANNOT_BAN_SELF');
    expect(await outboxRows()).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown id and 400 VALIDATION_FAILED for a non-uuid id or a missing reason', async () => {
    expectProblem(await request(t.app).post(`/api/admin/users/${randomUUID()}/ban`).set(as(admin)).send({ reason: 'x' }), 404, 'USER_NOT_FOUND');
    const notUuid = await request(t.app).post('/api/admin/users/42/ban').set(as(admin)).send({ reason: 'x' });
    expectProblem(notUuid, 400, 'VALIDATION_FAILED');
    expect(notUuid.body.errors).toEqual([{ field: 'id', message: expect.any(String) }]);
    const noReason = await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: '  ' });
    expectProblem(noReason, 400, 'VALIDATION_FAILED');
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: expect.any(String) }]);
    expect(await outboxRows()).toEqual([]);
  });
});

describe('POST /api/admin/users/:id/unban', () => {
  it('lifts the ban with a user.unbanned event; sign-in works again', async () => {
    await request(t.app).post(`/api/admin/users/${ada.id}/ban`).set(as(admin)).send({ reason: 'fraud' }).expect(200);
    t.clock.advance(1_000);
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/unban`).set(as(admin)).expect(200);
    expect(res.body.user).toMatchObject({ id: ada.id, bannedAt: null, banReason: null });
    const events = await outboxRows();
    expect(events.map((event) => event.type)).toEqual(['user.banned', 'user.unbanned']);
    expect(events[1]).toMatchObject({ id: res.body.eventId, subject: 'auth.user.unbanned', payload: { data: { userId: ada.id, email: 'ada@example.com' } } });
    await request(t.app).post('/api/users/signin').send({ email: ada.email, password: TEST_PASSWORD }).expect(200);
  });

  it('changes nothing for a user who is not banned: 200 with eventId null', async () => {
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/unban`).set(as(admin)).expect(200);
    expect(res.body).toEqual({ user: expect.objectContaining({ id: ada.id, bannedAt: null }), eventId: null });
    expect(await outboxRows()).toEqual([]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown id', async () => {
    expectProblem(await request(t.app).post(`/api/admin/users/${randomUUID()}/unban`).set(as(admin)), 404, 'USER_NOT_FOUND');
  });
});

describe('POST /api/admin/users/:id/sessions/revoke', () => {
  it('revokes every session and refresh token with a user.sessions_revoked event; the account stays usable', async () => {
    const res = await request(t.app).post(`/api/admin/users/${ada.id}/sessions/revoke`).set(as(admin)).send({ reason: 'lost laptop' }).expect(200);
    expect(res.body.user).toMatchObject({ id: ada.id, bannedAt: null });
    const [event] = await outboxRows();
    expect(event).toMatchObject({
      id: res.body.eventId,
      type: 'user.sessions_revoked',
      payload: { data: { userId: ada.id, email: 'ada@example.com', revokedAt: new Date(t.clock()).toISOString() } },
    });
    expectProblem(await request(t.app).get('/api/users/me').set(as(ada)), 401, 'SESSION_REVOKED');
    expectProblem(await request(t.app).post('/api/auth/refresh').send({ refreshToken: ada.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    await request(t.app).post('/api/users/signin').send({ email: ada.email, password: TEST_PASSWORD }).expect(200);
    const audit = await request(t.app).get(`/api/admin/audit?userId=${ada.id}`).set(as(admin)).expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ action: 'user.sessions_revoked', reason: 'lost laptop', eventId: res.body.eventId })]);
  });

  it('answers 404 USER_NOT_FOUND for an unknown id and 400 VALIDATION_FAILED for a non-uuid id', async () => {
    expectProblem(await request(t.app).post(`/api/admin/users/${randomUUID()}/sessions/revoke`).set(as(admin)), 404, 'USER_NOT_FOUND');
    expectProblem(await request(t.app).post('/api/admin/users/nope/sessions/revoke').set(as(admin)), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/admin/users', () => {
  it('pages through every user, newest first, with an opaque cursor, and searches by email substring in any case', async () => {
    for (let i = 0; i < 5; i += 1) {
      t.clock.advance(1_000);
      await createTestUser(t.app, database.db, `bob${i}@example.org`);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await request(t.app)
        .get('/api/admin/users')
        .query({ limit: 3, ...(cursor === null ? {} : { cursor }) })
        .set(as(admin))
        .expect(200);
      seen.push(...res.body.items.map((user: { email: string }) => user.email));
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor !== null);
    expect(pages).toBe(3);
    expect(seen.slice(0, 5)).toEqual(['bob4@example.org', 'bob3@example.org', 'bob2@example.org', 'bob1@example.org', 'bob0@example.org']);
    // root and ada were created at the same instant: their order is by id, but both come last, once.
    expect(seen.slice(5).sort()).toEqual(['ada@example.com', 'root@example.com']);
    const search = await request(t.app).get('/api/admin/users').query({ query: 'EXAMPLE.ORG', limit: 2 }).set(as(admin)).expect(200);
    expect(search.body.items.map((user: { email: string }) => user.email)).toEqual(['bob4@example.org', 'bob3@example.org']);
    expect(search.body.nextCursor).toEqual(expect.any(String));
    const none = await request(t.app).get('/api/admin/users').query({ query: '%' }).set(as(admin)).expect(200);
    expect(none.body).toEqual({ items: [], nextCursor: null });
  });

  it('defaults to 20 per page and rejects a limit outside 1..100 or a forged cursor with 400 VALIDATION_FAILED', async () => {
    const all = await request(t.app).get('/api/admin/users').set(as(admin)).expect(200);
    expect(all.body.items).toHaveLength(2);
    for (const limit of ['0', '101', 'ten']) {
      expectProblem(await request(t.app).get('/api/admin/users').query({ limit }).set(as(admin)), 400, 'VALIDATION_FAILED');
    }
    const forged = await request(t.app).get('/api/admin/users').query({ cursor: 'not-a-cursor' }).set(as(admin));
    expectProblem(forged, 400, 'VALIDATION_FAILED');
    expect(forged.body.errors).toEqual([{ field: 'cursor', message: 'Invalid cursor' }]);
  });
});

describe('GET /api/admin/users/:id', () => {
  it('returns one user, 404 USER_NOT_FOUND for an unknown id, 400 for a non-uuid', async () => {
    const res = await request(t.app).get(`/api/admin/users/${ada.id}`).set(as(admin)).expect(200);
    expect(res.body).toEqual({ user: { id: ada.id, email: 'ada@example.com', role: 'user', createdAt: expect.any(String), bannedAt: null, banReason: null } });
    expectProblem(await request(t.app).get(`/api/admin/users/${randomUUID()}`).set(as(admin)), 404, 'USER_NOT_FOUND');
    expectProblem(await request(t.app).get('/api/admin/users/123').set(as(admin)), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /api/admin/audit', () => {
  it('pages through the audit log newest first and filters by target user', async () => {
    const bob = await createTestUser(t.app, database.db, 'bob@example.com');
    for (const target of [ada, bob, ada]) {
      t.clock.advance(1_000);
      await request(t.app).post(`/api/admin/users/${target.id}/sessions/revoke`).set(as(admin)).expect(200);
    }
    const first = await request(t.app).get('/api/admin/audit').query({ limit: 2 }).set(as(admin)).expect(200);
    expect(first.body.items.map((entry: { targetUserId: string }) => entry.targetUserId)).toEqual([ada.id, bob.id]);
    const second = await request(t.app).get('/api/admin/audit').query({ limit: 2, cursor: first.body.nextCursor }).set(as(admin)).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ targetUserId: ada.id })], nextCursor: null });
    const forAda = await request(t.app).get('/api/admin/audit').query({ userId: ada.id }).set(as(admin)).expect(200);
    expect(forAda.body.items).toHaveLength(2);
    expectProblem(await request(t.app).get('/api/admin/audit').query({ userId: 'x' }).set(as(admin)), 400, 'VALIDATION_FAILED');
  });
});
