import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from '@veto/auth-lib';
import { signTestToken, TEST_AUDIENCE, TEST_ISSUER, testJwks } from '@veto/auth-lib/testing';
import pino from 'pino';
import { ConfigError } from '../errors';
import { loadVerificationKeys } from './verification-keys';

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
  expect(verifies(await loadVerificationKeys({ publicKeysFile: file, jwksUrl: unusedUrl }, logger))).toBe('u1');
});

it.each([
  ['a missing file', 'missing.json', undefined],
  ['a file that is not JSON', 'garbage.json', 'not json'],
  ['a JWKS without an ES256 key', 'empty.json', JSON.stringify({ keys: [] })],
])('refuses %s with CONFIG_INVALID naming JWT_PUBLIC_KEYS_FILE', async (_case, name, content) => {
  const file = join(dir, name);
  if (content !== undefined) await writeFile(file, content);
  const loading = loadVerificationKeys({ publicKeysFile: file, jwksUrl: unusedUrl }, logger);
  await expect(loading).rejects.toBeInstanceOf(ConfigError);
  await expect(loading).rejects.toMatchObject({ code: 'CONFIG_INVALID', variable: 'JWT_PUBLIC_KEYS_FILE' });
});

describe('from JWKS_URL', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(testJwks())));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('fetches the keys when no file is configured', async () => {
    const { port } = server.address() as AddressInfo;
    expect(verifies(await loadVerificationKeys({ publicKeysFile: undefined, jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json` }, logger))).toBe('u1');
  });
});
