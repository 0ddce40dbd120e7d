import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { eventually } from './eventually';
import { freePort, startNatsServer, type NatsServerHandle } from './nats-server-harness';

/** Options of {@link startNatsCluster}. */
export interface NatsClusterOptions {
  /** Number of servers, at least and by default 3: the smallest cluster that keeps a JetStream quorum after losing one. */
  size?: number;
  /** How long to wait for each server to accept connections and for JetStream to answer; 30 s by default. */
  startTimeoutMs?: number;
}

/** A running JetStream cluster of local nats-servers; see {@link startNatsCluster}. */
export interface NatsClusterHandle {
  /** One handle per server, in order; each has its own port and store. */
  readonly servers: readonly NatsServerHandle[];
  /** The `server_name` of each server, in the same order: what consumer and stream info report as `cluster.leader`. */
  readonly names: readonly string[];
  /** The client URL of each server, in the same order. */
  readonly urls: readonly string[];
  /** The position of the server named `serverName`, or -1. */
  indexOf(serverName: string): number;
  /** Stops server `index` (SIGTERM); its store is kept. */
  stop(index: number): Promise<void>;
  /** Starts server `index` again with the same ports and store; it rejoins the cluster. */
  restart(index: number): Promise<void>;
  /**
   * Where the consumers of `stream` run: for each, its name and the position of the server that
   * leads it (-1 while it has no leader). Asked through server `via`, by default the first one not stopped.
   */
  consumerLeaders(stream: string, via?: number): Promise<{ name: string; leader: number }[]>;
  /** Resolves once JetStream answers API requests through server `index` (the cluster has a meta leader). */
  waitForJetStream(index?: number): Promise<void>;
  /** Stops every server and deletes their stores. */
  cleanup(): Promise<void>;
}

function checkIndex(servers: readonly NatsServerHandle[], index: number): NatsServerHandle {
  const server = servers[index];
  if (!Number.isInteger(index) || server === undefined) throw new RangeError(`no server ${index} in a cluster of ${servers.length}`);
  return server;
}

/**
 * Starts a JetStream cluster for integration tests: `size` nats-servers on free loopback ports,
 * each with a temporary store, all routed to each other under one random cluster name. Resolves
 * once the cluster has elected its JetStream meta leader.
 *
 * @param options - `size` (3 by default), `startTimeoutMs`
 * @returns a handle to stop or restart single servers and to clean up the whole cluster
 * @throws RangeError for a size below 3; Error when a server does not start or JetStream does not answer in time
 * @example
 * const cluster = await startNatsCluster({ size: 3 });
 * const nc = await connect({ servers: cluster.urls[0] });
 * await ensureStreams(nc, { replicas: 3 });
 * await cluster.stop(1);
 * await cluster.cleanup();
 */
export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const { size = 3, startTimeoutMs = 30_000 } = options;
  if (!Number.isInteger(size) || size < 3) throw new RangeError(`startNatsCluster: size must be an integer of at least 3, got ${size}`);
  const clusterName = `veto-test-${randomBytes(4).toString('hex')}`;
  const names = Array.from({ length: size }, (_, index) => `${clusterName}-${index}`);
  const routePorts: number[] = [];
  for (let index = 0; index < size; index++) routePorts.push(await freePort());
  const routes = routePorts.map((port) => `nats://127.0.0.1:${port}`).join(',');
  const started = await Promise.allSettled(
    routePorts.map((routePort, index) =>
      startNatsServer({
        startTimeoutMs,
        args: ['--server_name', names[index] as string, '--cluster_name', clusterName, '--cluster', `nats://127.0.0.1:${routePort}`, '--routes', routes],
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const cleanup = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.cleanup()));
  };
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await cleanup();
    throw failure.reason;
  }

  /** Runs `request` on a short-lived connection to server `index`, retrying while the cluster elects leaders. */
  const askVia = async <T>(index: number, request: (jsm: JetStreamManager) => Promise<T>): Promise<T> => {
    const server = checkIndex(servers, index);
    const nc = await connect({ servers: server.url, timeout: startTimeoutMs });
    try {
      // A cluster answers JetStream requests only once it has a meta leader; until then they time out or fail.
      return await eventually(async () => request(await jetstreamManager(nc)), startTimeoutMs);
    } finally {
      await nc.close();
    }
  };
  const stopped = new Set<number>();
  const firstRunning = (): number => servers.findIndex((_, index) => !stopped.has(index));
  const waitForJetStream = async (index = 0): Promise<void> => {
    await askVia(index, (jsm) => jsm.getAccountInfo());
  };

  const handle: NatsClusterHandle = {
    servers,
    names,
    urls: servers.map((server) => server.url),
    indexOf: (serverName) => names.indexOf(serverName),
    consumerLeaders: (stream, via = firstRunning()) =>
      askVia(via, async (jsm) => (await jsm.consumers.list(stream).next()).map(({ name, cluster }) => ({ name, leader: names.indexOf(cluster?.leader ?? '') }))),
    async stop(index) {
      await checkIndex(servers, index).stop();
      stopped.add(index);
    },
    async restart(index) {
      await checkIndex(servers, index).restart();
      stopped.delete(index);
    },
    waitForJetStream,
    cleanup,
  };
  try {
    await waitForJetStream(0);
  } catch (error) {
    await cleanup();
    throw error;
  }
  return handle;
}
