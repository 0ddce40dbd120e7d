import type { Server } from 'node:http';
import request from 'supertest';
import { openDatabase, type DatabaseHandle } from '../../data-access/database';
import { createPasswordHasher } from '../../domain/password-hasher';
import { countVerifications, type CountingPasswordHasher } from '../../test-support/counting-password-hasher';
import { createTestApp, type TestApp } from '../../test-support/test-app';
import { openTestDatabase, type TestDatabase } from '../../test-support/test-database';

// Two replicas of the service over ONE database. On PostgreSQL the second replica has its own
// connection pool on the same schema; PGlite is embedded in one process, so there both apps
// share its handle (replicas need PostgreSQL in production).
let database: TestDatabase;
let secondHandle: DatabaseHandle;
let passwords: CountingPasswordHasher;
let replicas: [TestApp, TestApp];
let servers: [Server, Server];

const ENV = { TRUST_PROXY_HOPS: '1', SIGNIN_RATE_LIMIT_PER_EMAIL: '10', SIGNIN_RATE_LIMIT_PER_IP: '30', SIGNIN_RATE_LIMIT_WINDOW_SECONDS: '60' };
const ada = { email: 'ada@example.com', password: 'correct horse battery' };

beforeAll(async () => {
  database = await openTestDatabase();
  secondHandle = database.driver === 'postgres' ? await openDatabase({ databaseUrl: process.env.DATABASE_URL, schemaName: database.schemaName }) : database;
  passwords = countVerifications(await createPasswordHasher({ memoryKib: 1024, timeCost: 1, parallelism: 1 }));
});
beforeEach(async () => {
  await database.reset();
  replicas = [await createTestApp(database, ENV, { passwords }), await createTestApp(secondHandle, ENV, { passwords })];
  servers = [replicas[0].app.listen(0, '127.0.0.1'), replicas[1].app.listen(0, '127.0.0.1')];
  await request(servers[0]).post('/api/users/signup').send(ada).expect(201);
  passwords.verifications.length = 0;
});
afterEach(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});
afterAll(async () => {
  if (secondHandle !== database) {
    await secondHandle.close();
  }
  await database.close();
});

const signIn = (replica: number, body: { email: string; password: string }, clientIp: string) =>
  request(servers[replica % 2 === 0 ? 0 : 1])
    .post('/api/users/signin')
    .set('X-Forwarded-For', clientIp)
    .send(body);

describe('sign-in limits shared by replicas', () => {
  it('200 parallel wrong passwords for one email over two replicas: the limit is evaluated, the rest get 429 with Retry-After', async () => {
    const responses = await Promise.all(Array.from({ length: 200 }, (_, i) => signIn(i, { ...ada, password: 'wrong password' }, `198.51.100.${i}`)));
    const statuses = responses.map((res) => res.status);
    expect(passwords.verifications).toHaveLength(10);
    expect(statuses.filter((status) => status === 401)).toHaveLength(10);
    const limited = responses.filter((res) => res.status === 429);
    expect(limited).toHaveLength(190);
    for (const res of limited) {
      expect(res.body.code).toBe('RATE_LIMITED');
      expect(res.headers['retry-after']).toBe('60');
    }
  });

  it('failures on one replica block the email on the other until the window has passed', async () => {
    for (let i = 0; i < 10; i += 1) {
      await signIn(0, { ...ada, password: 'wrong password' }, '203.0.113.7').expect(401);
    }
    const limited = await signIn(1, ada, '198.51.100.1').expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    for (const replica of replicas) {
      replica.clock.advance(60_000);
    }
    await signIn(1, ada, '198.51.100.1').expect(200);
  });

  it('limits one IP across emails and replicas', async () => {
    for (let i = 0; i < 30; i += 1) {
      await signIn(i, { email: `guess${i}@example.com`, password: 'wrong password' }, '203.0.113.7').expect(401);
    }
    const limited = await signIn(1, ada, '203.0.113.7').expect(429);
    expect(limited.headers['retry-after']).toBe('60');
    await signIn(0, ada, '198.51.100.1').expect(200);
  });
});
