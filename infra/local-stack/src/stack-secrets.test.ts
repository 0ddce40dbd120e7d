import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifySync } from '@node-rs/bcrypt';
import { ADMIN_FILE, INTROSPECTION_CLIENT_FILE, loadOrCreateSecrets, markAdminAnnounced, NATS_CREDENTIALS_FILE, NATS_SERVER_PASSWORDS_FILE } from './stack-secrets';

describe('loadOrCreateSecrets', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veto-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates the admin and NATS passwords once, in owner-only files, and reads them back later', async () => {
    const first = await loadOrCreateSecrets(join(dir, 'data'), 'root@example.com');
    const second = await loadOrCreateSecrets(join(dir, 'data'), 'other@example.com');

    expect(second.admin).toEqual(first.admin);
    expect(second.nats).toEqual(first.nats);
    expect(second.introspection).toEqual(first.introspection);
    expect(first.admin.email).toBe('root@example.com');
    expect(JSON.parse(await readFile(join(dir, 'data', ADMIN_FILE), 'utf8'))).toEqual(first.admin);
    expect(JSON.parse(await readFile(join(dir, 'data', INTROSPECTION_CLIENT_FILE), 'utf8'))).toEqual(first.introspection);
    expect(second.natsServer).toEqual(first.natsServer);
    for (const file of [ADMIN_FILE, NATS_CREDENTIALS_FILE, NATS_SERVER_PASSWORDS_FILE, INTROSPECTION_CLIENT_FILE])
      expect((await stat(join(dir, 'data', file))).mode & 0o777).toBe(0o600);
  });

  it('makes an introspection secret of base64url characters only, the same form-urlencoded or not, long enough for auth', async () => {
    const { introspection } = await loadOrCreateSecrets(dir, 'root@example.com');

    expect(introspection).toEqual({ clientId: 'veto-local', clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) });
  });

  it('gives a data directory made before introspection existed a secret on its next start', async () => {
    await mkdir(join(dir, 'data'));
    await writeFile(join(dir, 'data', ADMIN_FILE), JSON.stringify({ email: 'root@example.com', password: 'kept-password' }));

    const secrets = await loadOrCreateSecrets(join(dir, 'data'), 'root@example.com');

    expect(secrets.admin.password).toBe('kept-password');
    expect(secrets.introspection.clientSecret).toHaveLength(32);
  });

  it('makes NATS passwords that nats-server reads as strings: a letter, then hex', async () => {
    const { nats } = await loadOrCreateSecrets(dir, 'root@example.com');

    expect([nats.auth, nats.tickets, nats.signals]).toEqual(Array(3).fill(expect.stringMatching(/^v[0-9a-f]{40}$/)));
    expect(new Set([nats.auth, nats.tickets, nats.signals]).size).toBe(3);
  });

  it('gives nats-server bcrypt hashes of the NATS passwords, never the passwords themselves', async () => {
    const { nats, natsServer } = await loadOrCreateSecrets(dir, 'root@example.com');

    expect([natsServer.auth, natsServer.tickets, natsServer.signals]).toEqual(Array(3).fill(expect.stringMatching(/^\$2a\$10\$/)));
    expect([
      verifySync(nats.auth, natsServer.auth),
      verifySync(nats.tickets, natsServer.tickets),
      verifySync(nats.signals, natsServer.signals),
      verifySync(nats.auth, natsServer.tickets),
      verifySync(nats.tickets, natsServer.signals),
    ]).toEqual([true, true, true, false, false]);
    expect(await readFile(join(dir, NATS_SERVER_PASSWORDS_FILE), 'utf8')).not.toContain(nats.auth);
  });

  it('hashes the kept NATS passwords of a data directory made before hashing', async () => {
    await writeFile(join(dir, NATS_CREDENTIALS_FILE), JSON.stringify({ auth: 'vkeptauth', tickets: 'vkepttickets', signals: 'vkeptsignals' }));

    const { nats, natsServer } = await loadOrCreateSecrets(dir, 'root@example.com');

    expect(nats).toEqual({ auth: 'vkeptauth', tickets: 'vkepttickets', signals: 'vkeptsignals' });
    expect([verifySync('vkeptauth', natsServer.auth), verifySync('vkepttickets', natsServer.tickets), verifySync('vkeptsignals', natsServer.signals)]).toEqual([true, true, true]);
  });

  it('gives a data directory made before the signals service a signals password and its hash, keeping the others', async () => {
    const oldHashes = { auth: '$2a$10$keptauthhash', tickets: '$2a$10$keptticketshash' };
    await writeFile(join(dir, NATS_CREDENTIALS_FILE), JSON.stringify({ auth: 'vkeptauth', tickets: 'vkepttickets' }), { mode: 0o600 });
    await writeFile(join(dir, NATS_SERVER_PASSWORDS_FILE), JSON.stringify(oldHashes), { mode: 0o600 });

    const { nats, natsServer } = await loadOrCreateSecrets(dir, 'root@example.com');

    expect(nats).toEqual({ auth: 'vkeptauth', tickets: 'vkepttickets', signals: expect.stringMatching(/^v[0-9a-f]{40}$/) });
    expect(natsServer).toEqual({ ...oldHashes, signals: expect.stringMatching(/^\$2a\$10\$/) });
    expect(verifySync(nats.signals, natsServer.signals)).toBe(true);
    // Kept on disk, so the next start reads the same password.
    expect((await loadOrCreateSecrets(dir, 'root@example.com')).nats).toEqual(nats);
    for (const file of [NATS_CREDENTIALS_FILE, NATS_SERVER_PASSWORDS_FILE]) expect((await stat(join(dir, file))).mode & 0o777).toBe(0o600);
  });

  it('reports a first start until the admin password has been announced', async () => {
    expect((await loadOrCreateSecrets(dir, 'root@example.com')).firstStart).toBe(true);
    expect((await loadOrCreateSecrets(dir, 'root@example.com')).firstStart).toBe(true);

    await markAdminAnnounced(dir);

    expect((await loadOrCreateSecrets(dir, 'root@example.com')).firstStart).toBe(false);
  });
});
