import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier, type JwksKeyStore } from '@veto/auth-lib';
import { createTestKeyPair, signTestToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER, TEST_KEY_PAIR, testJwks, type JwksServer } from '@veto/auth-lib/testing';
import pino from 'pino';
import { loadConfig } from '../config';
import { ConfigError } from '../errors';
import { jwksCacheFilePath, loadVerificationKeys } from './verification-keys';

const logger = pino({ level: 'silent' });
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veto-tickets-keys-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const unusedUrl = 'http://127.0.0.1:1/.well-known/jwks.json';
const verifies = (keys: Awaited<ReturnType<typeof loadVerificationKeys>>) =>
  createVerifier({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, keys }).verify(signTestToken({ sub: 'u1' })).sub;

it('reads the keys from JWT_PUBLIC_KEYS_FILE without fetching', async () => {
  const file = join(dir, 'jwks.json');
  await writeFile(file, JSON.stringify(testJwks()));
  expect(verifies(await loadVerificationKeys({ publicKeysFile: file, jwksUrl: unusedUrl, jwksCacheFile: undefined, dataDir: dir }, logger))).toBe('u1');
});

it.each([
  ['a missing file', 'missing.json', undefined],
  ['a file that is not JSON', 'garbage.json', 'not json'],
  ['a JWKS without an ES256 key', 'empty.json', JSON.stringify({ keys: [] })],
])('refuses %s with CONFIG_INVALID naming JWT_PUBLIC_KEYS_FILE', async (_case, name, content) => {
  const file = join(dir, name);
  if (content !== undefined) await writeFile(file, content);
  const loading = loadVerificationKeys({ publicKeysFile: file, jwksUrl: unusedUrl, jwksCacheFile: undefined, dataDir: dir }, logger);
  await expect(loading).rejects.toBeInstanceOf(ConfigError);
  await expect(loading).rejects.toMatchObject({ code: 'CONFIG_INVALID', variable: 'JWT_PUBLIC_KEYS_FILE' });
});

describe('the JWKS cache file', () => {
  it.each([
    ['unset', undefined, join('/data', 'jwks.json')],
    ['a path', '/keys/jwks.json', '/keys/jwks.json'],
    ['off', 'off', undefined],
  ])('is DATA_DIR/jwks.json, a path, or none, when JWKS_CACHE_FILE is %s', (_case, value, expected) => {
    expect(jwksCacheFilePath(loadConfig({ DATA_DIR: '/data', JWKS_CACHE_FILE: value }))).toBe(expected);
  });
});

// Start-up retries the fetch 5 times with backoff (about 6 s) before it falls back to the file.
const DOWN_START_TIMEOUT_MS = 60_000;

describe('from JWKS_URL', () => {
  let server: JwksServer;
  let serverOpen: boolean;
  let dataDir: string;
  const config = () => ({ publicKeysFile: undefined, jwksUrl: server.url, jwksCacheFile: undefined, dataDir });
  const cacheFile = () => join(dataDir, 'jwks.json');
  const stopServer = async () => {
    serverOpen = false;
    await server.close();
  };
  beforeEach(async () => {
    dataDir = await mkdtemp(join(dir, 'data-'));
    server = await startJwksServer(testJwks());
    serverOpen = true;
  });
  afterEach(async () => {
    if (serverOpen) await server.close();
  });

  it('fetches the keys when no file is configured, and keeps them in DATA_DIR/jwks.json', async () => {
    expect(verifies(await loadVerificationKeys(config(), logger))).toBe('u1');
    expect(JSON.parse(await readFile(cacheFile(), 'utf8'))).toEqual(testJwks());
  });

  it(
    'starts with the kept keys and accepts their tokens when restarted while the auth service is down',
    async () => {
      await loadVerificationKeys(config(), logger);
      await stopServer();
      expect(verifies(await loadVerificationKeys(config(), logger))).toBe('u1');
    },
    DOWN_START_TIMEOUT_MS,
  );

  it(
    'fails with JWKS_UNAVAILABLE when restarted while the auth service is down and the kept file is corrupt',
    async () => {
      await loadVerificationKeys(config(), logger);
      await writeFile(cacheFile(), '{"keys": [');
      await stopServer();
      await expect(loadVerificationKeys(config(), logger)).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
    },
    DOWN_START_TIMEOUT_MS,
  );

  it('fails with JWKS_INVALID when JWKS_URL answers with something that is not a JWKS, although keys were kept', async () => {
    await loadVerificationKeys(config(), logger);
    server.respond = () => ({ status: 200, body: '{"hello": "world"}' });
    await expect(loadVerificationKeys(config(), logger)).rejects.toMatchObject({ code: 'JWKS_INVALID' });
  });

  it('replaces the kept keys when a later refetch brings new ones', async () => {
    const store = (await loadVerificationKeys(config(), logger)) as JwksKeyStore;
    const next = createTestKeyPair('next');
    server.respond = () => ({ status: 200, body: JSON.stringify(testJwks(TEST_KEY_PAIR, next)) });
    await store.refresh();
    expect(JSON.parse(await readFile(cacheFile(), 'utf8'))).toEqual(testJwks(TEST_KEY_PAIR, next));
  });

  it(
    'keeps no file with JWKS_CACHE_FILE=off, so a restart while the auth service is down fails as before',
    async () => {
      const off = { ...config(), jwksCacheFile: 'off' };
      await loadVerificationKeys(off, logger);
      await stopServer();
      await expect(loadVerificationKeys(off, logger)).rejects.toMatchObject({ code: 'JWKS_UNAVAILABLE' });
      await expect(readFile(cacheFile(), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    },
    DOWN_START_TIMEOUT_MS,
  );
});
