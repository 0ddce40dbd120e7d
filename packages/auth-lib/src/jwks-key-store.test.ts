import { createJwksKeyStore } from './jwks-key-store';
import { startJwksServer, type JwksServer } from './test-support/jwks-server';
import { createTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks } from './testing';
import { createVerifier } from './verifier';
import { codeOf } from './test-support/code-of';

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

  it.each([
    ['answers 500', (jwks: JwksServer) => void (jwks.respond = () => ({ status: 500, body: '' }))],
    ['is down', (jwks: JwksServer) => jwks.close()],
  ])('accepts a never-seen token signed by a known key after a background refetch failed because the auth service %s', async (_, takeDown) => {
    const warn = jest.fn();
    const store = await createJwksKeyStore({ url: server.url, minRefetchIntervalMs: 0, logger: { warn } });
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: store });
    expect(verifier.verify(signTestToken({ sub: 'before' })).sub).toBe('before');
    await takeDown(server);

    const stranger = createTestKeyPair('never-published');
    const logged = new Promise<void>((resolve) => warn.mockImplementation(() => resolve()));
    expect(codeOf(() => verifier.verify(signTestToken({ sub: 'forger' }, { keyPair: stranger })))).toBe('TOKEN_UNKNOWN_KEY');
    await logged;
    expect(store.lastRefreshError).toMatchObject({ code: 'JWKS_UNAVAILABLE' });

    // Fresh claims, so no earlier verification result can answer for it.
    expect(verifier.verify(signTestToken({ sub: 'after' })).sub).toBe('after');
    expect(codeOf(() => verifier.verify(signTestToken({ sub: 'forger' }, { keyPair: stranger })))).toBe('TOKEN_UNKNOWN_KEY');
  });

  it('throws TypeError for a negative refetch interval', async () => {
    await expect(createJwksKeyStore({ url: server.url, minRefetchIntervalMs: -1 })).rejects.toThrow(TypeError);
  });
});
