import { existsSync } from 'node:fs';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventually } from './eventually';
import { startNatsCluster, type NatsClusterHandle } from './nats-cluster-harness';

describe('startNatsCluster', () => {
  let cluster: NatsClusterHandle;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3 });
    nc = await connect({ servers: [...cluster.urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  }, 60_000);

  afterAll(async () => {
    await nc?.close();
    await cluster?.cleanup();
  });

  it('runs three routed servers that replicate a stream to all of them', async () => {
    expect(new Set(cluster.urls).size).toBe(3);
    const jsm = await jetstreamManager(nc);
    const info = await eventually(() => jsm.streams.add({ name: 'CLUSTER_R3', subjects: ['cluster.r3.>'], num_replicas: 3 }));

    const members = [info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((replica) => replica.name)];
    expect(members.sort()).toEqual([...cluster.names].sort());
    expect(cluster.indexOf(info.cluster?.leader ?? '')).toBeGreaterThanOrEqual(0);
  });

  it('tells which server leads each consumer of a stream', async () => {
    const jsm = await jetstreamManager(nc);
    const added = await eventually(() => jsm.consumers.add('CLUSTER_R3', { durable_name: 'placed', num_replicas: 1 }));

    const leaders = await cluster.consumerLeaders('CLUSTER_R3', 2);

    expect(leaders).toEqual([{ name: 'placed', leader: cluster.indexOf(added.cluster?.leader ?? '') }]);
    expect(leaders[0]?.leader).toBeGreaterThanOrEqual(0);
    await jsm.consumers.delete('CLUSTER_R3', 'placed');
  });

  it('keeps the stream writable with one server stopped, and the server rejoins on restart', async () => {
    const jsm = await jetstreamManager(nc);
    const js = jsm.jetstream();
    const { cluster: placement } = await eventually(() => jsm.streams.info('CLUSTER_R3'));
    const leader = cluster.indexOf(placement?.leader ?? '');

    await cluster.stop(leader);
    await eventually(() => js.publish('cluster.r3.a', 'while one is down'));
    const during = await eventually(async () => {
      const info = await jsm.streams.info('CLUSTER_R3');
      if (info.cluster?.leader === cluster.names[leader]) throw new Error('the stopped server is still reported as leader');
      return info;
    });
    expect(during.state.messages).toBe(1);

    await cluster.restart(leader);
    await cluster.waitForJetStream(leader);
    const after = await eventually(async () => {
      const info = await jsm.streams.info('CLUSTER_R3');
      const rejoined = info.cluster?.replicas?.find((replica) => replica.name === cluster.names[leader]);
      if (!rejoined?.current) throw new Error('the restarted server has not caught up yet');
      return info;
    });
    expect(after.state.messages).toBe(1);
  });

  it('rejects an invalid size and an unknown server index', async () => {
    await expect(startNatsCluster({ size: 2 })).rejects.toThrow(RangeError);
    await expect(cluster.stop(3)).rejects.toThrow(RangeError);
  });

  it('stops every server and deletes every store on cleanup', async () => {
    await nc.close();
    await cluster.cleanup();

    expect(cluster.servers.map((server) => existsSync(server.storeDir))).toEqual([false, false, false]);
    await expect(connect({ servers: [...cluster.urls], reconnect: false, maxReconnectAttempts: 0 })).rejects.toThrow();
  });
});
