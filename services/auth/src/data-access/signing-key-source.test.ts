import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { loadConfig } from '../config';
import { createSigningKeys } from '../domain/signing-keys';
import { SigningKeyMissingError } from '../errors';
import { generateTestKeyPem } from '../test-support/test-app';
import { LOCAL_KEY_FILE, resolveSigningKeyPems } from './signing-key-source';

let dataDir: string;
const lines: unknown[] = [];
const logger = { info: (...args: unknown[]) => void lines.push(args) };

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'veto-auth-key-'));
  lines.length = 0;
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('resolveSigningKeyPems', () => {
  it('refuses to start in production without a key, naming JWT_PRIVATE_KEY', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    let caught: unknown;
    try {
      resolveSigningKeyPems(config, logger);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SigningKeyMissingError);
    expect(caught).toMatchObject({ code: 'SIGNING_KEY_MISSING', variable: 'JWT_PRIVATE_KEY' });
    expect((caught as Error).message).toContain('JWT_PRIVATE_KEY');
  });

  it('generates a 0600 P-256 key in local mode, says so as expected (info, not a warning), and reuses it on the next start', () => {
    const config = loadConfig({ VETO_ENV: 'local', DATA_DIR: dataDir });
    const first = resolveSigningKeyPems(config, logger);
    const path = join(dataDir, LOCAL_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(createSigningKeys({ privateKeyPem: first.privateKeyPem }).kid).toEqual(expect.any(String));
    const second = resolveSigningKeyPems(config, logger);
    expect(second.privateKeyPem).toBe(first.privateKeyPem);
    expect(lines).toEqual([
      [{ path }, expect.stringMatching(/^local mode: .*as expected here.*\(generated now\)$/)],
      [{ path }, expect.stringMatching(/^local mode: .*as expected here.*JWT_PRIVATE_KEY_FILE instead$/)],
    ]);
  });

  it('prefers JWT_PRIVATE_KEY, accepting escaped line breaks, and never generates a key then', () => {
    const pem = generateTestKeyPem();
    const config = loadConfig({ VETO_ENV: 'local', DATA_DIR: dataDir, JWT_PRIVATE_KEY: pem.replaceAll('\n', '\\n') });
    expect(resolveSigningKeyPems(config, logger).privateKeyPem).toBe(pem);
    expect(() => statSync(join(dataDir, LOCAL_KEY_FILE))).toThrow();
  });

  it('reads JWT_PRIVATE_KEY_FILE and the previous public keys file', () => {
    const pem = generateTestKeyPem();
    const previous = [generateTestKeyPem(), generateTestKeyPem()].map((key) => createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString());
    writeFileSync(join(dataDir, 'key.pem'), pem);
    writeFileSync(join(dataDir, 'previous.pem'), previous.join('\n'));
    const config = loadConfig({ DATA_DIR: dataDir, JWT_PRIVATE_KEY_FILE: join(dataDir, 'key.pem'), JWT_PREVIOUS_PUBLIC_KEYS_FILE: join(dataDir, 'previous.pem') });
    const pems = resolveSigningKeyPems(config, logger);
    expect(pems.privateKeyPem).toBe(pem);
    expect(createSigningKeys(pems).jwks.keys).toHaveLength(3);
  });

  it('names JWT_PRIVATE_KEY_FILE when the file cannot be read', () => {
    const config = loadConfig({ JWT_PRIVATE_KEY_FILE: join(dataDir, 'missing.pem') });
    expect(() => resolveSigningKeyPems(config, logger)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', variable: 'JWT_PRIVATE_KEY_FILE' }));
  });
});
