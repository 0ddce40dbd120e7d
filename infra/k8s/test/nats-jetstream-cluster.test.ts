import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createEvent, ensureStreams, EventPublisher, subscribeFanOut, type NatsConnection } from '@veto/events';
import { eventually, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { freePort } from '@veto/test-kit';
import { findGenerated, kustomizeAvailable, renderOverlay } from './rendered-manifests';

// A JetStream cluster answers only once it has elected its leaders.
const CLUSTER_ELECTION_MS = 45_000;

const PASSWORDS = { auth: `v${randomBytes(16).toString('hex')}`, tickets: `v${randomBytes(16).toString('hex')}`, signals: `v${randomBytes(16).toString('hex')}` };

/** The ids of the events about `userIds` a new fan-out subscription of `nc` replays from the last minute. */
async function replayedIds(nc: NatsConnection, userIds: readonly string[]): Promise<string[]> {
  const ids: string[] = [];
  for await (const { event } of subscribeFanOut(nc, { startTime: new Date(Date.now() - 60_000) })) {
    if (userIds.includes(event.data.userId)) ids.push(event.id);
    if (ids.length === userIds.length) break; // leaving the loop stops the subscription
  }
  return ids;
}

function ban(userId: string) {
  return createEvent('user.banned', { userId, revokedAt: new Date().toISOString() }, { source: 'k8s-cluster-test' });
}

// The cluster overlay's nats.conf and veto.conf, unchanged, on three local nats-servers: the
// command line gives each one what a pod gets from Kubernetes (its ports, its store volume, the
// routes to its peers' DNS names).
(kustomizeAvailable() ? describe : describe.skip)('overlays/cluster NATS configuration, run as a 3-node JetStream cluster', () => {
  let configDir: string;
  let servers: NatsServerHandle[] = [];
  let asAuth: NatsConnection;
  let asTickets: NatsConnection;
  let replicas: number;

  beforeAll(async () => {
    const objects = renderOverlay('cluster');
    replicas = Number((findGenerated(objects, 'ConfigMap', 'veto-shared')?.data as Record<string, string>).STREAM_REPLICAS);
    configDir = mkdtempSync(join(tmpdir(), 'veto-nats-cluster-'));
    for (const [file, content] of Object.entries(findGenerated(objects, 'ConfigMap', 'nats-config')?.data as Record<string, string>)) {
      writeFileSync(join(configDir, file), content);
    }
    const clusterPorts = [await freePort(), await freePort(), await freePort()];
    const routes = clusterPorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
    servers = await Promise.all(
      clusterPorts.map(async (clusterPort, ordinal) =>
        startNatsServer({
          configFile: join(configDir, 'nats.conf'),
          env: {
            POD_NAME: `nats-${ordinal}`,
            VETO_NATS_AUTH_PASSWORD: PASSWORDS.auth,
            VETO_NATS_TICKETS_PASSWORD: PASSWORDS.tickets,
            VETO_NATS_SIGNALS_PASSWORD: PASSWORDS.signals,
          },
          args: ['-m', String(await freePort()), '--cluster', `nats://127.0.0.1:${clusterPort}`, '--routes', routes],
        }),
      ),
    );
    const options = { servers: servers.map((server) => server.url), maxReconnectAttempts: -1, reconnectTimeWait: 100 };
    asAuth = await connect({ ...options, user: 'auth', pass: PASSWORDS.auth, name: 'auth' });
    asTickets = await connect({ ...options, user: 'tickets', pass: PASSWORDS.tickets, name: 'tickets' });
  }, 60_000);

  afterAll(async () => {
    await asAuth?.close();
    await asTickets?.close();
    await Promise.all(servers.map((server) => server.cleanup()));
    rmSync(configDir, { recursive: true, force: true });
  });

  it('lets the auth user create the AUTH stream with the overlay replicas, placed on three servers', async () => {
    expect(replicas).toBe(3);
    await eventually(() => ensureStreams(asAuth, { replicas }), CLUSTER_ELECTION_MS);
    const info = (await asAuth.request('$JS.API.STREAM.INFO.AUTH', '', { timeout: 5000 })).json<{
      config: { num_replicas: number };
      cluster: { name: string; leader: string; replicas?: { name: string }[] };
    }>();
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster.name).toBe('veto');
    expect([info.cluster.leader, ...(info.cluster.replicas ?? []).map((replica) => replica.name)].sort()).toEqual(['nats-0', 'nats-1', 'nats-2']);
  }, 60_000);

  it('keeps the stream: events published as auth before and after a server stops reach a consumer of the tickets user', async () => {
    const publisher = new EventPublisher(asAuth);
    const before = ban(`user-${randomBytes(4).toString('hex')}`);
    await eventually(() => publisher.publish(before), CLUSTER_ELECTION_MS);
    expect(await replayedIds(asTickets, [before.data.userId])).toEqual([before.id]);

    await servers[2]?.stop();
    const after = ban(`user-${randomBytes(4).toString('hex')}`);
    // Two of three servers keep the quorum; a publish may fail while a new stream leader is elected.
    await eventually(() => publisher.publish(after), CLUSTER_ELECTION_MS);
    expect(await eventually(() => replayedIds(asTickets, [before.data.userId, after.data.userId]), CLUSTER_ELECTION_MS)).toEqual([before.id, after.id]);
  }, 120_000);
});
