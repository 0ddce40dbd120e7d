import { randomBytes } from 'node:crypto';
import { request, waitUntil } from './http-client';
import type { ServiceProcess } from './service-process';
import { startVeto, type RunningVeto, type VetoDeployment } from './veto-deployment';

// The fleet view with real processes: auth and two tickets instances over one nats-server, each
// tickets instance reporting enforcement receipts; the test only talks HTTP to auth. Each process
// keeps its own database (PGlite, or a schema on DATABASE_URL): nothing here needs shared data.
interface FleetInstance {
  readonly instanceId: string;
  readonly state: string;
  readonly expiresAt: string;
}
interface Enforcement {
  readonly enforcedEverywhere: boolean;
  readonly instances: { readonly total: number; readonly enforced: number };
  readonly enforced: readonly { readonly instanceId: string; readonly appliedAt: string | null; readonly afterMs: number | null }[];
  readonly missing: readonly { readonly instanceId: string }[];
}

// Generous patience only: nothing asserts how long anything took.
const PATIENCE_MS = 60_000;

describe('enforcement receipts, end to end (auth + two tickets instances + nats-server as separate processes)', () => {
  let veto: RunningVeto;
  let deployment: VetoDeployment;
  let tickets: ServiceProcess[];
  const run = randomBytes(4).toString('hex');
  const ids = [`tickets-1-${run}`, `tickets-2-${run}`] as const;
  // The first instance heartbeats fast; the second slowly, so that once killed it stays live
  // (3 × 5 s after its last receipt) long enough to be seen missing, however busy the machine.
  const env = [
    { INSTANCE_ID: ids[0], RECEIPT_INTERVAL_MS: '300' },
    { INSTANCE_ID: ids[1], RECEIPT_INTERVAL_MS: '5000' },
  ];
  let admin: string;

  const instances = async (): Promise<FleetInstance[]> => {
    const { status, body } = await request('GET', `${deployment.authUrl}/api/admin/instances`, { token: admin });
    expect(status).toBe(200);
    return body.instances as FleetInstance[];
  };
  const enforcementOf = async (eventId: string): Promise<Enforcement> => {
    const { status, body } = await request('GET', `${deployment.authUrl}/api/admin/events/${eventId}/enforcement`, { token: admin });
    expect(status).toBe(200);
    return body as unknown as Enforcement;
  };
  const liveIds = async () => (await instances()).map((instance) => instance.instanceId).sort();

  beforeAll(async () => {
    veto = await startVeto({ databaseUrl: process.env.DATABASE_URL, label: 'e2e_fleet', tickets: env });
    ({ deployment, tickets } = veto);
    admin = await deployment.adminToken();
  }, 120_000);

  afterAll(() => veto?.stop(), 60_000);

  it('lists both tickets instances as live and ready', async () => {
    await waitUntil(
      'both instances ready in GET /api/admin/instances',
      async () => {
        const live = await instances();
        return ids.every((id) => live.some((instance) => instance.instanceId === id && instance.state === 'ready'));
      },
      PATIENCE_MS,
    );
  }, 120_000);

  it('shows a ban applied by both instances, each with its time after the commit, and waits for it with wait=enforced', async () => {
    const { userId } = await deployment.signUp(`both-${run}@example.com`);
    const ban = await request('POST', `${deployment.authUrl}/api/admin/users/${userId}/ban?wait=enforced&timeoutMs=30000`, { token: admin, body: { reason: 'e2e' } });
    expect(ban.status).toBe(200);
    const enforcement = ban.body.enforcement as Enforcement;
    expect(ban.body.timedOut).toBe(false);
    expect(enforcement).toMatchObject({ enforcedEverywhere: true, instances: { total: 2, enforced: 2 }, missing: [] });
    expect(enforcement.enforced.map((entry) => entry.instanceId).sort()).toEqual([...ids].sort());
    // The receipts carried the event itself (not only a sequence past it): each time is known.
    const later = await enforcementOf(ban.body.eventId as string);
    for (const entry of later.enforced) {
      expect(entry).toMatchObject({ appliedAt: expect.any(String), afterMs: expect.any(Number) });
    }
    console.log(`ban commit → applied: ${later.enforced.map((entry) => `${entry.instanceId} ${entry.afterMs} ms`).join(', ')}`);
  }, 120_000);

  it('shows a killed instance as missing for a new ban, then forgets it once its receipts stop', async () => {
    await tickets[1]!.kill();
    const { userId } = await deployment.signUp(`killed-${run}@example.com`);
    const ban = await deployment.ban(admin, userId);
    expect(ban.status).toBe(200);
    const eventId = ban.body.eventId as string;
    let seen: Enforcement | undefined;
    await waitUntil(
      'the live instance applied the new ban',
      async () => {
        seen = await enforcementOf(eventId);
        return seen.enforced.some((entry) => entry.instanceId === ids[0]);
      },
      PATIENCE_MS,
    );
    expect(seen).toMatchObject({ enforcedEverywhere: false, instances: { total: 2, enforced: 1 }, missing: [{ instanceId: ids[1] }] });

    await waitUntil('the killed instance expires from GET /api/admin/instances', async () => !(await liveIds()).includes(ids[1]), PATIENCE_MS);
    expect(await liveIds()).toEqual([ids[0]]);
    expect(await enforcementOf(eventId)).toMatchObject({ enforcedEverywhere: true, instances: { total: 1, enforced: 1 }, missing: [] });
  }, 120_000);

  it('drops an instance stopped with SIGTERM at once, on its stopped receipt', async () => {
    // Restarted with hour-long heartbeats: within this test it can only leave the view by its stopped receipt.
    tickets[1] = await deployment.startTickets(2, { ...env[1], RECEIPT_INTERVAL_MS: '3600000' });
    await tickets[1].waitReady();
    await waitUntil('the restarted instance is live again', async () => (await liveIds()).includes(ids[1]), PATIENCE_MS);
    await tickets[1].stop();
    await waitUntil('the stopped instance leaves GET /api/admin/instances', async () => !(await liveIds()).includes(ids[1]), PATIENCE_MS);
    expect(await liveIds()).toEqual([ids[0]]);
  }, 120_000);
});
