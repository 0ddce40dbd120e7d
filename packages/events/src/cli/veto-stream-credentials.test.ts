import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeyAuthenticator, nkeys, type NatsConnection } from '@nats-io/nats-core';
import { connectTo } from '../connect-to';
import { createEvent } from '../create-event';
import { ensureStreams } from '../ensure-streams';
import { EventPublisher } from '../event-publisher';
import { startNatsServer, type NatsServerHandle } from '../nats-server-harness';
import { parseArchiveLine } from '../stream-archive-line';
import { expectNoSecret as expectNone, runVetoStream, secret, VETO_CONF, type VetoStreamRun } from './test-support/run-veto-stream';

// Users of VETO_CONF: auth (publishes, manages AUTH) and tickets (consumes AUTH only).
const PASSWORDS = { auth: secret('a'), tickets: secret('t'), signals: secret('s') };

const eventsOf = (run: VetoStreamRun) =>
  run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line, index) => parseArchiveLine(line, index + 1)?.payload);

/** Asserts that neither password nor any other secret of the test appears in anything the CLI printed. */
const expectNoSecret = (run: VetoStreamRun, ...secrets: string[]): void => expectNone(run, [...secrets, ...Object.values(PASSWORDS)]);

describe('veto-stream credentials against a nats-server running infra/nats/veto.conf', () => {
  let server: NatsServerHandle;
  let asAuth: NatsConnection;
  let dir: string;
  const ban = createEvent('user.banned', { userId: 'u-cred', revokedAt: '2026-01-15T10:00:00.000Z' }, { source: 'auth' });

  beforeAll(async () => {
    server = await startNatsServer({
      configFile: VETO_CONF,
      env: { VETO_NATS_AUTH_PASSWORD: PASSWORDS.auth, VETO_NATS_TICKETS_PASSWORD: PASSWORDS.tickets, VETO_NATS_SIGNALS_PASSWORD: PASSWORDS.signals },
    });
    asAuth = await connectTo(server, { user: 'auth', pass: PASSWORDS.auth });
    await ensureStreams(asAuth);
    await new EventPublisher(asAuth).publish(ban);
    dir = await mkdtemp(join(tmpdir(), 'veto-stream-credentials-'));
  });
  afterAll(async () => {
    await asAuth?.close();
    await server?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('records AUTH as the consume-only tickets user, with NATS_URL, NATS_USER and NATS_PASSWORD from the environment', async () => {
    const run = await runVetoStream(['record', '--out', '-'], { NATS_URL: server.url, NATS_USER: 'tickets', NATS_PASSWORD: PASSWORDS.tickets });

    expect(run).toMatchObject({ code: 0, stderr: expect.stringContaining('recorded 1 messages of AUTH') });
    expect(eventsOf(run)).toEqual([{ kind: 'event', event: ban }]);
    expectNoSecret(run);
  });

  it('replays into AUTH as the auth user, and the tickets user records what it published', async () => {
    const file = join(dir, 'unban.jsonl');
    const unban = createEvent('user.unbanned', { userId: 'u-cred' }, { source: 'auth' });
    await writeFile(file, `${JSON.stringify(unban)}\n`);

    const replayed = await runVetoStream(['replay', '--nats-url', server.url, '--in', file], { NATS_USER: 'auth', NATS_PASSWORD: PASSWORDS.auth });
    const recorded = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--from-seq', '2'], { NATS_USER: 'tickets', NATS_PASSWORD: PASSWORDS.tickets });

    expect(replayed).toMatchObject({ code: 0, stderr: expect.stringContaining('1 stored') });
    expect(eventsOf(recorded)).toEqual([{ kind: 'event', event: unban }]);
    expectNoSecret(replayed);
  });

  it('fails with AUTHORIZATION_VIOLATION, and prints neither password, when the password is wrong', async () => {
    const wrong = secret('w');
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-'], { NATS_USER: 'tickets', NATS_PASSWORD: wrong });

    expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('veto-stream record failed (AUTHORIZATION_VIOLATION)') });
    expectNoSecret(run, wrong);
  });

  it('fails with AUTHORIZATION_VIOLATION without credentials', async () => {
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-']);

    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('(AUTHORIZATION_VIOLATION)') });
  });

  it('refuses credentials in the server URL with a usage error that does not repeat them', async () => {
    const inUrl = server.url.replace('nats://', `nats://tickets:${PASSWORDS.tickets}@`);
    const run = await runVetoStream(['record', '--nats-url', inUrl, '--out', '-']);

    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('veto-stream (CREDENTIALS_IN_URL): --nats-url must not carry credentials') });
    expect(run.stderr).toContain('NATS_USER and NATS_PASSWORD');
    expectNoSecret(run);
  });

  it('refuses two kinds of credentials with CREDENTIALS_CONFLICT', async () => {
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--token-file', join(dir, 'token')], {
      NATS_USER: 'tickets',
      NATS_PASSWORD: PASSWORDS.tickets,
    });

    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('(CREDENTIALS_CONFLICT)') });
    expectNoSecret(run);
  });

  it.each([
    ['--creds', 'something else than a creds file', 'not a creds file', 'CREDENTIALS_INVALID'],
    ['--nkey', 'something else than a seed', 'SUnot-a-seed', 'CREDENTIALS_INVALID'],
    ['--token-file', 'an empty line', '\n', 'CREDENTIALS_INVALID'],
  ])('fails with %s holding %s, without printing the content', async (flag, _what, content, code) => {
    const file = join(dir, `bad${flag}`);
    await writeFile(file, content);

    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', flag, file]);

    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining(`(${code})`) });
    if (content.trim() !== '') expect(run.stderr).not.toContain(content);
  });

  it('fails with CREDENTIALS_UNREADABLE for a credentials file that does not exist', async () => {
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--creds', join(dir, 'missing.creds')]);

    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('(CREDENTIALS_UNREADABLE): cannot read the creds file') });
  });
});

describe('veto-stream token credentials against a nats-server with token auth', () => {
  const token = secret('k');
  let server: NatsServerHandle;
  let dir: string;

  beforeAll(async () => {
    server = await startNatsServer({ args: ['--auth', token] });
    const nc = await connectTo(server, { token });
    await ensureStreams(nc);
    await nc.close();
    dir = await mkdtemp(join(tmpdir(), 'veto-stream-token-'));
  });
  afterAll(async () => {
    await server?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with NATS_TOKEN', async () => {
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-'], { NATS_TOKEN: token });

    expect(run).toMatchObject({ code: 0, stderr: expect.stringContaining('recorded 0 messages of AUTH') });
    expectNoSecret(run, token);
  });

  it('authenticates with --token-file', async () => {
    const file = join(dir, 'token');
    await writeFile(file, `${token}\n`, { mode: 0o600 });

    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--token-file', file]);

    expect(run).toMatchObject({ code: 0 });
    expectNoSecret(run, token);
  });

  it('fails with AUTHORIZATION_VIOLATION for a wrong token, without printing it', async () => {
    const wrong = secret('x');
    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-'], { NATS_TOKEN: wrong });

    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('(AUTHORIZATION_VIOLATION)') });
    expectNoSecret(run, wrong, token);
  });
});

describe('veto-stream nkey credentials against a nats-server with an nkey user', () => {
  const user = nkeys.createUser();
  const seed = new TextDecoder().decode(user.getSeed());
  let server: NatsServerHandle;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veto-stream-nkey-'));
    const configFile = join(dir, 'nkey.conf');
    await writeFile(configFile, `authorization { users = [ { nkey: ${user.getPublicKey()} } ] }\n`);
    server = await startNatsServer({ configFile });
    const nc = await connectTo(server, { authenticator: nkeyAuthenticator(user.getSeed()) });
    await ensureStreams(nc);
    await nc.close();
  });
  afterAll(async () => {
    await server?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('authenticates with the seed in --nkey', async () => {
    const file = join(dir, 'user.nk');
    await writeFile(file, `${seed}\n`, { mode: 0o600 });

    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--nkey', file]);

    expect(run).toMatchObject({ code: 0, stderr: expect.stringContaining('recorded 0 messages of AUTH') });
    expectNoSecret(run, seed);
  });

  it('fails with AUTHORIZATION_VIOLATION for the seed of an unknown user, without printing it', async () => {
    const stranger = new TextDecoder().decode(nkeys.createUser().getSeed());
    const file = join(dir, 'stranger.nk');
    await writeFile(file, stranger, { mode: 0o600 });

    const run = await runVetoStream(['record', '--nats-url', server.url, '--out', '-', '--nkey', file]);

    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('(AUTHORIZATION_VIOLATION)') });
    expectNoSecret(run, stranger, seed);
  });
});
