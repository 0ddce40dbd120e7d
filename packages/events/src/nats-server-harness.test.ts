import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connectTo } from './connect-to';
import { findNatsServer, startNatsServer, type NatsServerHandle } from './nats-server-harness';
import { nextReconnect } from './next-reconnect';

describe('startNatsServer', () => {
  let server: NatsServerHandle;

  beforeAll(async () => {
    server = await startNatsServer();
  });

  afterAll(async () => {
    await server.cleanup();
  });

  it('serves JetStream on a loopback port', async () => {
    expect(server.url).toBe(`nats://127.0.0.1:${server.port}`);
    const nc = await connectTo(server);
    try {
      const jsm = await jetstreamManager(nc);
      await expect(jsm.getAccountInfo()).resolves.toEqual(expect.objectContaining({ streams: expect.any(Number) }));
    } finally {
      await nc.close();
    }
  });

  it.each([
    ['a restart', {}],
    ['a kill -9 and restart', { kill: true }],
  ])('keeps streams and messages across %s on the same port', async (_label, restartOptions) => {
    const nc = await connectTo(server);
    const stream = `HARNESS_RESTART_${Object.keys(restartOptions).length}`;
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: stream, subjects: [`harness.${stream}.>`] });
      await jsm.jetstream().publish(`harness.${stream}.a`, 'kept');
      const port = server.port;
      const back = nextReconnect(nc);

      await server.restart(restartOptions);
      await back;

      expect(server.port).toBe(port);
      const info = await jsm.streams.info(stream);
      expect(info.state.messages).toBe(1);
    } finally {
      await nc.close();
    }
  });

  it('comes back with an empty store when asked, as after a lost disk', async () => {
    const nc = await connectTo(server);
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: 'HARNESS_EMPTY', subjects: ['harness.empty.>'] });
      const back = nextReconnect(nc);

      await server.restart({ emptyStore: true });
      await back;

      await expect(jsm.streams.info('HARNESS_EMPTY')).rejects.toThrow('stream not found');
    } finally {
      await nc.close();
    }
  });

  it('refuses connections after stop and deletes its store on cleanup', async () => {
    const other = await startNatsServer();
    await other.stop();
    await expect(connectTo(other, { reconnect: false, maxReconnectAttempts: 0 })).rejects.toThrow();
    await other.cleanup();
    const { existsSync } = await import('node:fs');
    expect(existsSync(other.storeDir)).toBe(false);
  });

  it('passes extra arguments to the server', async () => {
    const other = await startNatsServer({ args: ['--user', 'alice', '--pass', 'secret'] });
    try {
      await expect(connectTo(other, { reconnect: false })).rejects.toThrow();
      const nc = await connectTo(other, { user: 'alice', pass: 'secret' });
      await nc.close();
    } finally {
      await other.cleanup();
    }
  });

  it('gives the server the environment a configuration file reads', async () => {
    const configFile = join(server.storeDir, 'env-password.conf');
    writeFileSync(configFile, 'authorization { user: alice, password: $HARNESS_TEST_PASSWORD }\n');
    const other = await startNatsServer({ configFile, env: { HARNESS_TEST_PASSWORD: 'from-env' } });
    try {
      await expect(connectTo(other, { reconnect: false, user: 'alice', pass: 'wrong' })).rejects.toThrow();
      const nc = await connectTo(other, { user: 'alice', pass: 'from-env' });
      await nc.close();
    } finally {
      await other.cleanup();
    }
  });

  it('names the Debian package when the binary is missing', () => {
    expect(() => findNatsServer(['/nonexistent'])).toThrow(/apt-get install nats-server/);
  });
});
