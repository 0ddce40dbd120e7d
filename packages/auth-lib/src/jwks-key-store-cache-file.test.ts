import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createJwksKeyStore, type JwksKeyStoreOptions } from './jwks-key-store';
import { startJwksServer, type JwksServer } from './test-support/jwks-server';
import { createTestKeyPair, signTestToken, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks } from './testing';
import { createVerifier } from './verifier';

describe('createJwksKeyStore with a cache file', () => {
  let dir: string;
  let file: string;
  let server: JwksServer;
  let serverOpen: boolean;
  const warn = jest.fn();
  // No retries: every test that stops the server would otherwise wait out the backoff.
  const storeOptions = (): JwksKeyStoreOptions => ({ url: server.url, cacheFile: file, retries: 0, minRefetchIntervalMs: 0, logger: { warn } });
  const stopServer = async () => {
    serverOpen = false;
    await server.close();
  };
  const readCache = async (): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veto-jwks-cache-'));
    file = join(dir, 'nested', 'jwks.json');
    server = await startJwksServer(testJwks());
    serverOpen = true;
    warn.mockReset();
  });
  afterEach(async () => {
    if (serverOpen) await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the fetched JWKS to the file, world-readable, with no temp file left', async () => {
    await createJwksKeyStore(storeOptions());
    expect(await readCache()).toEqual(testJwks());
    expect((await stat(file)).mode & 0o777).toBe(0o644);
    expect(warn).not.toHaveBeenCalled();
  });

  it('starts from the file while the auth service is down, verifies its tokens, and says how old the keys are', async () => {
    await createJwksKeyStore(storeOptions());
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(file, hourAgo, hourAgo);
    await stopServer();

    const store = await createJwksKeyStore(storeOptions());
    const verifier = createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys: store });
    expect(verifier.verify(signTestToken({ sub: 'u1' })).sub).toBe('u1');
    expect(store.lastRefreshError).toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ file, ageMs: expect.any(Number) }), expect.stringContaining('cache file'));
    const [[{ ageMs }]] = warn.mock.calls as [[{ ageMs: number }]];
    expect(ageMs).toBeGreaterThanOrEqual(3_600_000);
  });

  it('fails with JWKS_UNAVAILABLE when the auth service is down and there is no file', async () => {
    await stopServer();
    await expect(createJwksKeyStore(storeOptions())).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
  });

  it.each([
    ['an invalid document', 200, JSON.stringify({ keys: 'none' })],
    ['a JWKS without an ES256 key', 200, JSON.stringify({ keys: [] })],
    ['a body that is not JSON', 200, '<html>'],
  ])('fails with JWKS_INVALID on %s even though a cache file exists, and keeps the file', async (_case, status, body) => {
    await createJwksKeyStore(storeOptions());
    server.respond = () => ({ status, body });
    await expect(createJwksKeyStore(storeOptions())).rejects.toMatchObject({ code: 'JWKS_INVALID' });
    expect(await readCache()).toEqual(testJwks());
  });

  it.each([
    ['not JSON', '{"keys": ['],
    ['not a JWKS', JSON.stringify({ hello: 'world' })],
    ['a JWKS without an ES256 key', JSON.stringify({ keys: [] })],
    ['a JWKS with a private key', JSON.stringify({ keys: [{ ...TEST_KEY_PAIR.privateKey.export({ format: 'jwk' }), kid: 'k', alg: 'ES256' }] })],
  ])('ignores a cache file that is %s, with a warning, and fails as without one', async (_case, content) => {
    await createJwksKeyStore(storeOptions());
    await writeFile(file, content);
    await stopServer();
    await expect(createJwksKeyStore(storeOptions())).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ file }), expect.stringContaining('unusable'));
  });

  it('replaces a corrupt cache file at the next successful fetch', async () => {
    await createJwksKeyStore(storeOptions());
    await writeFile(file, 'garbage');
    await createJwksKeyStore(storeOptions());
    expect(await readCache()).toEqual(testJwks());
  });

  it('replaces the file when a later refetch succeeds', async () => {
    const store = await createJwksKeyStore(storeOptions());
    const next = createTestKeyPair('next');
    server.respond = () => ({ status: 200, body: JSON.stringify(testJwks(TEST_KEY_PAIR, next)) });
    await store.refresh();
    expect(await readCache()).toEqual(testJwks(TEST_KEY_PAIR, next));
  });

  it('keeps the file when a refetch fails', async () => {
    const store = await createJwksKeyStore(storeOptions());
    server.respond = () => ({ status: 503, body: '' });
    await expect(store.refresh()).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    expect(await readCache()).toEqual(testJwks());
  });

  it('keeps the fetched keys when the file cannot be written', async () => {
    await writeFile(join(dir, 'nested'), 'a file where the directory should be');
    const store = await createJwksKeyStore(storeOptions());
    expect(store.getKey(TEST_KEY_PAIR.kid)?.equals(TEST_KEY_PAIR.publicKey)).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ file }), expect.stringContaining('writing the JWKS cache file failed'));
  });

  it('throws TypeError for an empty cacheFile', async () => {
    await expect(createJwksKeyStore({ url: server.url, cacheFile: '' })).rejects.toThrow(TypeError);
  });
});
