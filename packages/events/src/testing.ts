export { findNatsServer, startNatsServer, type NatsServerHandle, type NatsServerOptions } from './nats-server-harness';
export { connectTo } from './connect-to';
export { nextReconnect } from './next-reconnect';
