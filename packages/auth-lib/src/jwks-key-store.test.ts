import { createJwksKeyStore } from './jwks-key-store';
import { startJwksServer, type JwksServer } from './test-support/jwks-server';
import { createTestKeyPair, TEST_KEY_PAIR, testJwks } from './testing';

describe('createJwksKeyStore', () => {
  let server: JwksServer;
  const time = { now: 1_000_000 };
  const clock = () => time.now;
  beforeEach(async () => {
    server = await startJwksServer(testJwks());
  });
  afterEach(() => server.close());

  it('picks up a rotated key after an unknown kid, at most once per interval', async () => {
    const store = await createJwksKeyStore({ url: server.url, clock, minRefetchIntervalMs: 10_000 });
    const next = createTestKeyPair('next');
    server.respond = () => ({ status: 200, body: JSON.stringify(testJwks(TEST_KEY_PAIR, next)) });
    expect(store.getKey('next')).toBeUndefined();
    expect(server.requests).toBe(1);
    time.now += 10_000;
    expect(store.getKey('next')).toBeUndefined();
    expect(store.getKey('next')).toBeUndefined();
    // The refetch started by the unknown kid is still in flight: refresh() joins it.
    await store.refresh();
    expect(server.requests).toBe(2);
    expect(store.getKey('next')?.equals(next.publicKey)).toBe(true);
  });

  it('keeps the known keys when the auth service is down', async () => {
    const store = await createJwksKeyStore({ url: server.url, clock, minRefetchIntervalMs: 0, logger: { warn: jest.fn() } });
    server.respond = () => ({ status: 503, body: '' });
    await expect(store.refresh()).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    expect(store.getKey(TEST_KEY_PAIR.kid)?.equals(TEST_KEY_PAIR.publicKey)).toBe(true);
  });

  it('records a failed background refetch and logs it', async () => {
    const warn = jest.fn();
    const store = await createJwksKeyStore({ url: server.url, clock, minRefetchIntervalMs: 0, logger: { warn } });
    server.respond = () => ({ status: 503, body: '' });
    const logged = new Promise<void>((resolve) => warn.mockImplementation(() => resolve()));
    expect(store.getKey('unknown')).toBeUndefined();
    await logged;
    expect(store.lastRefreshError).toMatchObject({ code: 'JWKS_UNAVAILABLE' });
  });

  it('throws TypeError for a negative refetch interval', async () => {
    await expect(createJwksKeyStore({ url: server.url, minRefetchIntervalMs: -1 })).rejects.toThrow(TypeError);
  });
});
