import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { selectRows } from '@veto/storage';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { expectProblem } from '@veto/test-kit';
import { createTestApp, tokenFor, type TestApp } from '../../test-support/test-app';
import { createTestBus } from '../../test-support/test-bus';
import { openTicketsTestDatabase, type TicketsTestDatabase } from '../../test-support/test-database';

// Supertest addresses the app as http://<Host>; a fixed Host makes the site's own origin known.
const HOST = 'veto.test';
const EVIL_ORIGIN = 'https://evil.example';

describe('cross-site requests to the tickets service', () => {
  let server: NatsServerHandle;
  let nc: NatsConnection;
  let database: TicketsTestDatabase;
  let testApp: TestApp;
  let behindProxy: TestApp;
  const seller = randomUUID();
  const ticket = { title: 'Concert', price: 4500 };

  beforeAll(async () => {
    [server, database] = await Promise.all([startNatsServer(), openTicketsTestDatabase()]);
    nc = await connectTo(server);
    testApp = createTestApp({ database, nc, streams: await createTestBus(nc) });
    behindProxy = createTestApp({ database, nc, streams: await createTestBus(nc) }, { TRUST_PROXY_HOPS: '1', ALLOWED_ORIGINS: 'https://console.example.com' });
    await Promise.all([testApp.feed.ready, behindProxy.feed.ready]);
  });
  beforeEach(() => database.reset());
  afterAll(async () => {
    await Promise.all([testApp.stop(), behindProxy.stop()]);
    await nc.close();
    await Promise.all([server.cleanup(), database.close()]);
  });

  /** A browser holding the seller's access cookie, without an Authorization header. */
  const listWithCookie = (app = testApp.app) =>
    request(app)
      .post('/api/tickets')
      .set('Host', HOST)
      .set('Cookie', `veto_access=${tokenFor(seller)}`);

  async function tickets(): Promise<number> {
    const [row] = await selectRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM tickets`);
    return row?.n ?? -1;
  }

  it('refuses a POST riding on the access cookie from another origin with 403 CROSS_SITE_REQUEST, and lists nothing', async () => {
    expectProblem(await listWithCookie().set('Origin', EVIL_ORIGIN).send(ticket), 403, 'CROSS_SITE_REQUEST');

    expect(await tickets()).toBe(0);
  });

  it('refuses the cookie with a form body from its own origin (415), and accepts it with JSON (201)', async () => {
    expectProblem(await listWithCookie().set('Origin', `http://${HOST}`).type('form').send(ticket), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await listWithCookie().set('Origin', `http://${HOST}`).send(ticket).expect(201);

    expect(await tickets()).toBe(1);
  });

  it('leaves a Bearer client alone, whatever Origin it sends', async () => {
    await request(testApp.app)
      .post('/api/tickets')
      .set('Host', HOST)
      .set('Origin', EVIL_ORIGIN)
      .set('authorization', `Bearer ${tokenFor(seller)}`)
      .send(ticket)
      .expect(201);
  });

  it('takes its own origin from the trusted proxy (TRUST_PROXY_HOPS) and accepts ALLOWED_ORIGINS', async () => {
    const forwarded = { 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'veto.example.com' };
    await listWithCookie(behindProxy.app).set(forwarded).set('Origin', 'https://veto.example.com').send(ticket).expect(201);
    await listWithCookie(behindProxy.app).set('Origin', 'https://console.example.com').send(ticket).expect(201);
    expectProblem(await listWithCookie(testApp.app).set(forwarded).set('Origin', 'https://veto.example.com').send(ticket), 403, 'CROSS_SITE_REQUEST');
  });
});
