import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { testKeyPem } from '../test-support/test-keys';
import { LOCAL_KEY_FILE, loadSigningKey } from './signing-key-source';

let dir: string;
const logged: string[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'veto-signals-key-'));
  logged.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What loadSigningKey must throw: CONFIG_INVALID, naming `variable` in `variable` and in the message. */
const namingVariable = (variable: string) => expect.objectContaining({ name: 'ConfigError', code: 'CONFIG_INVALID', variable, message: expect.stringContaining(variable) });

describe('loadSigningKey', () => {
  it('reads the key from SIGNALS_PRIVATE_KEY_FILE, in any mode', () => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, testKeyPem());
    for (const env of ['production', 'local'] as const) {
      expect(loadSigningKey({ env, privateKeyFile: file, dataDir: dir }, logger).jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    }
  });

  it.each([
    ['an RSA key of 1024 bits', () => testKeyPem({ rsaBits: 1024 })],
    ['an EC key', () => testKeyPem({ ec: true })],
    ['no key at all', () => 'not a key'],
  ])('refuses %s with CONFIG_INVALID naming SIGNALS_PRIVATE_KEY_FILE', (_name, pem) => {
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem());
    expect(() => loadSigningKey({ env: 'production', privateKeyFile: file, dataDir: dir }, logger)).toThrow(namingVariable('SIGNALS_PRIVATE_KEY_FILE'));
  });

  it('refuses an unreadable file, naming SIGNALS_PRIVATE_KEY_FILE', () => {
    expect(() => loadSigningKey({ env: 'local', privateKeyFile: join(dir, 'missing.pem'), dataDir: dir }, logger)).toThrow(namingVariable('SIGNALS_PRIVATE_KEY_FILE'));
  });

  it('requires SIGNALS_PRIVATE_KEY_FILE outside local mode and generates nothing', () => {
    expect(() => loadSigningKey({ env: 'production', privateKeyFile: undefined, dataDir: dir }, logger)).toThrow(namingVariable('SIGNALS_PRIVATE_KEY_FILE'));
    expect(() => statSync(join(dir, LOCAL_KEY_FILE))).toThrow();
  });

  it('in local mode, generates a 2048-bit RSA key once into DATA_DIR (mode 0600) and reuses it', () => {
    const dataDir = join(dir, 'nested', 'signals');
    const first = loadSigningKey({ env: 'local', privateKeyFile: undefined, dataDir }, logger);
    const path = join(dataDir, LOCAL_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(first.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(logged).toEqual([expect.stringContaining('(generated now)')]);
    const pem = readFileSync(path, 'utf8');

    const second = loadSigningKey({ env: 'local', privateKeyFile: undefined, dataDir }, logger);
    expect(second.kid).toBe(first.kid);
    expect(readFileSync(path, 'utf8')).toBe(pem);
    expect(logged[1]).not.toContain('generated now');
  });

  it('refuses a damaged local key, naming DATA_DIR', () => {
    writeFileSync(join(dir, LOCAL_KEY_FILE), 'garbage', { mode: 0o600 });
    expect(() => loadSigningKey({ env: 'local', privateKeyFile: undefined, dataDir: dir }, logger)).toThrow(namingVariable('DATA_DIR'));
  });
});
