import pino from 'pino';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { createTestApp, type TestApp } from './test-support/test-app';
import { openTestDatabase, type TestDatabase } from './test-support/test-database';

let database: TestDatabase;
let t: TestApp;
const logLines: string[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  t = await createTestApp(database, {}, { logger: pino({ level: 'trace' }, { write: (line: string) => logLines.push(line) }) });
});
beforeEach(async () => {
  await database.reset();
  logLines.length = 0;
});
afterAll(() => database.close());

describe('the HTTP edge', () => {
  it('answers an unknown route with 404 NOT_FOUND', async () => {
    expectProblem(await request(t.app).get('/api/nope'), 404, 'NOT_FOUND');
    expectProblem(await request(t.app).delete('/api/users/signup'), 404, 'NOT_FOUND');
  });

  it('rejects a body over 16 KiB with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(t.app)
      .post('/api/users/signup')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'ada@example.com', password: 'x'.repeat(17 * 1024) }));
    expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a body just under 16 KiB (the limit, not the route, decides)', async () => {
    const res = await request(t.app)
      .post('/api/users/signup')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'ada@example.com', password: 'x'.repeat(15 * 1024) }));
    expectProblem(res, 400, 'VALIDATION_FAILED');
  });

  it('rejects malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await request(t.app).post('/api/users/signin').set('Content-Type', 'application/json').send('{"email": "ada@example.com",');
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('rejects a body that is not JSON with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const form = await request(t.app).post('/api/users/signup').type('form').send({ email: 'ada@example.com', password: 'correct horse battery' });
    expectProblem(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const text = await request(t.app).post('/api/users/signin').set('Content-Type', 'text/plain').send('hello');
    expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a JSON body that is not an object with 400 VALIDATION_FAILED', async () => {
    const res = await request(t.app).post('/api/users/signup').set('Content-Type', 'application/json').send('[1, 2]');
    expectProblem(res, 400, 'VALIDATION_FAILED');
    expect(res.body.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('echoes a sane X-Request-Id and makes up one otherwise', async () => {
    const echoed = await request(t.app).get('/healthz').set('X-Request-Id', 'abc-123').expect(200);
    expect(echoed.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces').expect(200);
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request and never a password, a token or a hash', async () => {
    const password = 'correct horse battery';
    const signUp = await request(t.app).post('/api/users/signup').set('X-Request-Id', 'req-1').send({ email: 'ada@example.com', password }).expect(201);
    await request(t.app).post('/api/users/signin').send({ email: 'ada@example.com', password }).expect(200);
    await request(t.app).post('/api/users/signin').send({ email: 'ada@example.com', password: 'wrong password' }).expect(401);
    await request(t.app)
      .get('/api/users/me')
      .set('Authorization', `Bearer ${signUp.body.accessToken as string}`)
      .expect(200);
    await request(t.app)
      .post('/api/auth/refresh')
      .send({ refreshToken: signUp.body.refreshToken as string })
      .expect(200);

    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line.reqId === 'req-1')).toMatchObject({ msg: 'request', method: 'POST', path: '/api/users/signup', status: 201 });
    const all = logLines.join('\n');
    for (const secret of [password, 'wrong password', signUp.body.accessToken as string, signUp.body.refreshToken as string, '$argon2id$']) {
      expect(all).not.toContain(secret);
    }
  });

  it('does not advertise express', async () => {
    const res = await request(t.app).get('/healthz').expect(200);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
