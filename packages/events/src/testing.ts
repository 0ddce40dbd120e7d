export { findNatsServer, freePort, startNatsServer, type NatsRestartOptions, type NatsServerHandle, type NatsServerOptions } from './nats-server-harness';
export { startNatsCluster, type NatsClusterHandle, type NatsClusterOptions } from './nats-cluster-harness';
export { connectTo } from './connect-to';
export { nextReconnect } from './next-reconnect';
export { eventually } from './eventually';
export { startDelayProxy, type DelayProxy, type DelayProxyOptions } from './delay-proxy';
export { testReceipt } from './test-receipt';
export { startReplayedBus, type ReplayArchive, type ReplayedBus, type ReplayedBusOptions } from './replayed-bus';
