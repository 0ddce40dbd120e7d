import { createClient } from 'redis';
import { findRedisServer, startRedisServer } from './redis-server';

it('says how to install redis-server when it is nowhere to be found', () => {
  expect(() => findRedisServer([])).toThrow('missing redis-server: install with apt-get install redis-server');
});

it('starts a redis-server that answers on its port and stops it', async () => {
  const redis = await startRedisServer();
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    expect(await client.ping()).toBe('PONG');
    expect(await client.configGet('save')).toEqual({ save: '' });
  } finally {
    client.destroy();
    await redis.stop();
  }
  await expect(redis.stop()).resolves.toBeUndefined();
});
