import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_ADMIN_EMAIL, writeLocalSecrets } from './local-secrets';

function envOf(path: string): Record<string, string> {
  return Object.fromEntries(
    readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('writeLocalSecrets', () => {
  let dir: string;

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'veto-secrets-')), 'secrets');
  });

  afterEach(() => {
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('writes every file the local overlay reads, readable by the owner only, and shows the admin password once', () => {
    const { created, admin } = writeLocalSecrets(dir);
    expect(created).toEqual(['signing-key.pem', 'signals-signing-key.pem', 'nats.env', 'postgres.env', 'database.env', 'admin.env']);
    for (const file of created) {
      expect(statSync(join(dir, file)).mode & 0o777).toBe(0o600);
    }
    expect(admin).toEqual({ email: LOCAL_ADMIN_EMAIL, password: envOf(join(dir, 'admin.env')).password });
  });

  it('writes an ES256 (P-256) private key', () => {
    writeLocalSecrets(dir);
    const key = createPrivateKey(readFileSync(join(dir, 'signing-key.pem')));
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve]).toEqual(['ec', 'prime256v1']);
  });

  it('writes an RSA private key of 2048 bits for the signals service (RS256 Security Event Tokens)', () => {
    writeLocalSecrets(dir);
    const key = createPrivateKey(readFileSync(join(dir, 'signals-signing-key.pem')));
    expect([key.asymmetricKeyType, key.asymmetricKeyDetails?.modulusLength]).toEqual(['rsa', 2048]);
  });

  it('builds the connection strings from the PostgreSQL password, one per service', () => {
    writeLocalSecrets(dir);
    const { password } = envOf(join(dir, 'postgres.env'));
    const urls = envOf(join(dir, 'database.env'));
    expect(Object.keys(urls)).toEqual(['auth-url', 'tickets-url', 'signals-url']);
    for (const url of Object.values(urls)) {
      expect(new URL(url).password).toBe(password);
    }
  });

  it('makes passwords nats-server reads as strings: a letter first, then letters and digits', () => {
    writeLocalSecrets(dir);
    const passwords = [...Object.values(envOf(join(dir, 'nats.env'))), envOf(join(dir, 'postgres.env')).password, envOf(join(dir, 'admin.env')).password];
    expect(new Set(passwords).size).toBe(passwords.length);
    for (const password of passwords) {
      expect(password).toMatch(/^[a-z][a-z0-9]{40,}$/);
    }
  });

  it('keeps existing files, so a second run changes nothing and shows no password', () => {
    writeLocalSecrets(dir);
    const before = readFileSync(join(dir, 'database.env'), 'utf8');
    expect(writeLocalSecrets(dir)).toEqual({ created: [], completed: [], admin: undefined });
    expect(readFileSync(join(dir, 'database.env'), 'utf8')).toBe(before);
  });

  it('gives the env files of a directory from before the signals service its keys, keeping every other value', () => {
    writeLocalSecrets(dir);
    const nats = envOf(join(dir, 'nats.env'));
    const database = envOf(join(dir, 'database.env'));
    writeFileSync(join(dir, 'nats.env'), `auth-password=${nats['auth-password']}\ntickets-password=${nats['tickets-password']}\n`);
    writeFileSync(join(dir, 'database.env'), `auth-url=${database['auth-url']}\ntickets-url=${database['tickets-url']}`);

    expect(writeLocalSecrets(dir)).toEqual({ created: [], completed: ['nats.env', 'database.env'], admin: undefined });
    expect(envOf(join(dir, 'nats.env'))).toEqual({ ...nats, 'signals-password': expect.stringMatching(/^v[0-9a-f]{48}$/) });
    expect(envOf(join(dir, 'database.env'))).toEqual(database);
  });

  it('rebuilds a deleted database.env from the kept PostgreSQL password', () => {
    writeLocalSecrets(dir);
    const before = readFileSync(join(dir, 'database.env'), 'utf8');
    rmSync(join(dir, 'database.env'));
    expect(writeLocalSecrets(dir).created).toEqual(['database.env']);
    expect(readFileSync(join(dir, 'database.env'), 'utf8')).toBe(before);
  });
});
