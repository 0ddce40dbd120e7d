import { randomBytes } from 'node:crypto';
import { subscribeFanOut, type VetoEvent } from '@veto/events';
import { connectTo, type NatsServerHandle } from '@veto/events/testing';
import { request, waitUntil } from './http-client';
import { type ServiceProcess } from './service-process';
import { startVeto, type RunningVeto, type VetoDeployment } from './veto-deployment';

// Two tickets instances must share one tickets database, which an embedded PGlite (one
// process) cannot offer: this suite runs where PostgreSQL is available, as in CI.
const databaseUrl = process.env.DATABASE_URL;
const describeWithPostgres = databaseUrl ? describe : describe.skip;
if (!databaseUrl) {
  console.warn('end-to-end ban flow skipped: it needs DATABASE_URL (a PostgreSQL server; CI sets it)');
}

// A broken feed shows up as seconds or never; a slow machine as milliseconds.
const GENEROUS_BOUND_MS = 2_000;

describeWithPostgres('a ban, end to end (auth + two tickets instances + nats-server as separate processes)', () => {
  let veto: RunningVeto;
  let nats: NatsServerHandle;
  let deployment: VetoDeployment;
  let auth: ServiceProcess;
  let tickets: ServiceProcess[];
  const run = randomBytes(4).toString('hex');
  const signUp = (email: string) => deployment.signUp(email);
  const adminToken = () => deployment.adminToken();

  /** Milliseconds from now until every tickets instance answers 401 TOKEN_REVOKED to `token`. */
  async function timeUntilRejectedEverywhere(token: string): Promise<number[]> {
    return Promise.all(
      tickets.map((instance) =>
        waitUntil(
          `${instance.name} rejects the revoked token`,
          async () => {
            const { status, body } = await request('GET', `${instance.url}/api/tickets`, { token });
            return status === 401 && body.code === 'TOKEN_REVOKED';
          },
          GENEROUS_BOUND_MS,
        ),
      ),
    );
  }

  async function storedEvents(): Promise<VetoEvent[]> {
    const nc = await connectTo(nats);
    try {
      const subscription = subscribeFanOut(nc, { startTime: new Date(0) });
      const events: VetoEvent[] = [];
      const reading = (async () => {
        for await (const { event } of subscription) {
          events.push(event);
        }
      })();
      await subscription.caughtUp;
      await subscription.stop();
      await reading;
      return events;
    } finally {
      await nc.close();
    }
  }

  beforeAll(async () => {
    veto = await startVeto({ databaseUrl, tickets: [{}, {}] });
    ({ nats, deployment, auth, tickets } = veto);
  }, 120_000);

  afterAll(() => veto?.stop(), 60_000);

  const seller = `seller-${run}@example.com`;
  let sellerToken: string;
  let sellerId: string;
  let ticketId: string;

  it('locks a banned user out of both tickets instances within milliseconds, unlists their tickets and refuses their sign-in', async () => {
    ({ token: sellerToken, userId: sellerId } = await signUp(seller));
    const created = await request('POST', `${tickets[0]!.url}/api/tickets`, { token: sellerToken, body: { title: 'Concert', price: 4500 } });
    expect(created.status).toBe(201);
    ticketId = created.body.id as string;
    for (const instance of tickets) {
      expect((await request('GET', `${instance.url}/api/tickets/${ticketId}`, { token: sellerToken })).status).toBe(200);
    }

    const ban = await deployment.ban(await adminToken(), sellerId, 'fraud');
    expect(ban.status).toBe(200);
    expect(ban.body).toMatchObject({ user: { id: sellerId, bannedAt: expect.any(String), banReason: 'fraud' }, eventId: expect.any(String) });
    const latencies = await timeUntilRejectedEverywhere(sellerToken);
    console.log(`ban response → 401 TOKEN_REVOKED: ${latencies.map((ms, i) => `tickets-${i + 1} ${ms.toFixed(1)} ms`).join(', ')}`);

    const { token: buyerToken } = await signUp(`buyer-${run}@example.com`);
    await waitUntil('the banned seller’s ticket is unlisted', async () => {
      const { status } = await request('GET', `${tickets[1]!.url}/api/tickets/${ticketId}`, { token: buyerToken });
      return status === 404;
    });
    const attempt = await deployment.signIn(seller);
    expect(attempt.status).toBe(403);
    expect(attempt.body.code).toBe('USER_BANNED');
  });

  it('a restarted tickets instance rejects the banned token from its first ready moment', async () => {
    await tickets[1]!.stop();
    tickets[1] = await deployment.startTickets(2);
    await tickets[1].waitReady();
    const { status, body } = await request('GET', `${tickets[1].url}/api/tickets`, { token: sellerToken });
    expect(status).toBe(401);
    expect(body.code).toBe('TOKEN_REVOKED');
  });

  it('a ban committed while NATS is down is enforced once NATS is back, and stored once', async () => {
    const { token, userId } = await signUp(`offline-${run}@example.com`);
    const admin = await adminToken();
    await nats.stop();
    const ban = await deployment.ban(admin, userId, 'spam');
    expect(ban.status).toBe(200);
    for (const instance of tickets) {
      expect((await request('GET', `${instance.url}/api/tickets`, { token })).status).toBe(200);
    }
    await nats.restart();
    await timeUntilRejectedEverywhere(token);
    const bans = (await storedEvents()).filter((event) => event.type === 'user.banned' && event.data.userId === userId);
    expect(bans).toHaveLength(1);
    expect(bans[0]?.id).toBe(ban.body.eventId);
  });

  it('after an unban a new sign-in works while the pre-ban token stays rejected', async () => {
    const unban = await request('POST', `${auth.url}/api/admin/users/${sellerId}/unban`, { token: await adminToken() });
    expect(unban.status).toBe(200);
    const attempt = await deployment.signIn(seller);
    expect(attempt.status).toBe(200);
    const fresh = attempt.body.accessToken as string;
    for (const instance of tickets) {
      await waitUntil(`${instance.name} accepts the new token`, async () => (await request('GET', `${instance.url}/api/tickets`, { token: fresh })).status === 200);
      const old = await request('GET', `${instance.url}/api/tickets`, { token: sellerToken });
      expect(old.status).toBe(401);
      expect(old.body.code).toBe('TOKEN_REVOKED');
    }
  });

  it('keeps serving valid tokens on every tickets instance while the auth service is down', async () => {
    const { token } = await signUp(`steady-${run}@example.com`);
    await auth.stop();
    for (const instance of tickets) {
      const { status } = await request('GET', `${instance.url}/api/tickets`, { token });
      expect(status).toBe(200);
    }
  });
});
