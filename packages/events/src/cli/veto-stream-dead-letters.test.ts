import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectTo } from '../connect-to';
import { createEvent } from '../create-event';
import { publishDeadLetter } from '../dead-letter';
import { ensureStreams } from '../ensure-streams';
import { EventError } from '../errors';
import { startNatsServer, type NatsServerHandle } from '../nats-server-harness';
import { deadLetterSubject } from '../subjects';
import type { DeadLetterListing } from './list-dead-letters';
import { expectNoSecret, runVetoStream, secret, VETO_CONF, type VetoStreamRun } from './test-support/run-veto-stream';

// Users of VETO_CONF: auth may read VETO_DLQ, tickets may only publish its own dead letters.
const PASSWORDS = { auth: secret('a'), tickets: secret('t'), signals: secret('s') };
const expectNoPassword = (run: VetoStreamRun): void => expectNoSecret(run, Object.values(PASSWORDS));

describe('veto-stream dead-letters against a nats-server running infra/nats/veto.conf', () => {
  let server: NatsServerHandle;
  let asAuth: NatsConnection;
  let asTickets: NatsConnection;
  const ban = createEvent('user.banned', { userId: 'u-dlq', revokedAt: '2026-01-15T10:00:00.000Z' }, { source: 'auth' });
  const asUser = (user: keyof typeof PASSWORDS) => ({ NATS_URL: server.url, NATS_USER: user, NATS_PASSWORD: PASSWORDS[user] });

  beforeAll(async () => {
    server = await startNatsServer({
      configFile: VETO_CONF,
      env: { VETO_NATS_AUTH_PASSWORD: PASSWORDS.auth, VETO_NATS_TICKETS_PASSWORD: PASSWORDS.tickets, VETO_NATS_SIGNALS_PASSWORD: PASSWORDS.signals },
    });
    asAuth = await connectTo(server, { user: 'auth', pass: PASSWORDS.auth });
    asTickets = await connectTo(server, { user: 'tickets', pass: PASSWORDS.tickets });
    await ensureStreams(asAuth);
    // As the tickets work queue sets them aside: a handler that failed on every delivery, then a message that is no event.
    const js = jetstream(asTickets);
    const letter = { service: 'tickets', stream: 'AUTH', subject: 'auth.user.banned', timeoutMs: 30_000 };
    await publishDeadLetter(
      js,
      deadLetterSubject('tickets'),
      { ...letter, reason: 'max-deliveries', error: new Error('unlist failed'), seq: 17, deliveryCount: 5, data: new TextEncoder().encode(JSON.stringify(ban)) },
      30_000,
    );
    await publishDeadLetter(
      js,
      deadLetterSubject('tickets'),
      { ...letter, reason: 'malformed', error: new EventError('EVENT_MALFORMED', 'not JSON'), seq: 18, deliveryCount: 1, data: new TextEncoder().encode('{truncated') },
      30_000,
    );
  });
  afterAll(async () => {
    await asAuth?.close();
    await asTickets?.close();
    await server?.cleanup();
  });

  it('lists the dead letters as the auth user: stream state, why, where from and the event', async () => {
    const run = await runVetoStream(['dead-letters'], asUser('auth'));

    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [summary, scope, , ...letters] = run.stdout.split('\n');
    expect(summary).toMatch(/^VETO_DLQ: 2 dead letters, \d+ bytes, seq 1 \(\d{4}-.+Z\) to 2 \(\d{4}-.+Z\)$/);
    expect(scope).toBe('all 2:');
    expect(letters.join('\n')).toContain(
      [
        '    why:     max-deliveries after 5 deliveries: HANDLER_FAILED Error: unlist failed',
        '    from:    tickets, AUTH seq 17 (auth.user.banned)',
        `    payload: event user.banned ${ban.id}`,
      ].join('\n'),
    );
    expect(letters.join('\n')).toContain(
      [
        '    why:     malformed after 1 delivery: EVENT_MALFORMED not JSON',
        '    from:    tickets, AUTH seq 18 (auth.user.banned)',
        '    payload: not an event: "{truncated" (10 bytes)',
      ].join('\n'),
    );
    expect(letters.filter((line) => line.startsWith('#')).map((line) => line.split(/\s+/).filter((_, i) => i !== 1))).toEqual([
      ['#1', 'veto.dlq.tickets'],
      ['#2', 'veto.dlq.tickets'],
    ]);
    expectNoPassword(run);
  });

  it('prints the newest --limit dead letters as one JSON document with --json', async () => {
    const run = await runVetoStream(['dead-letters', '--limit', '1', '--json'], asUser('auth'));

    expect(run).toMatchObject({ code: 0, stderr: '' });
    const listing = JSON.parse(run.stdout) as DeadLetterListing;
    expect(listing.state).toMatchObject({ stream: 'VETO_DLQ', messages: 2, firstSeq: 1, lastSeq: 2 });
    expect(listing.deadLetters).toEqual([
      {
        seq: 2,
        time: expect.any(String),
        subject: 'veto.dlq.tickets',
        headers: {
          reason: 'malformed',
          errorCode: 'EVENT_MALFORMED',
          errorMessage: 'not JSON',
          service: 'tickets',
          stream: 'AUTH',
          subject: 'auth.user.banned',
          seq: '18',
          deliveryCount: '1',
        },
        bytes: 10,
        preview: '{truncated',
      },
    ]);
  });

  it('says the newest are shown when --limit hides older dead letters', async () => {
    const run = await runVetoStream(['dead-letters', '--limit', '1'], asUser('auth'));

    expect(run.stdout.split('\n')[1]).toBe('the newest 1 (--limit 1):');
    expect(run.stdout).not.toContain('#1 ');
  });

  it('refuses the tickets user with PERMISSIONS_VIOLATION, naming the auth user, and prints no password', async () => {
    const run = await runVetoStream(['dead-letters'], asUser('tickets'));

    expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('veto-stream dead-letters failed (PERMISSIONS_VIOLATION): ') });
    expect(run.stderr).toContain('$JS.API.STREAM.INFO.VETO_DLQ');
    expect(run.stderr).toContain('NATS_USER=auth');
    expectNoPassword(run);
  });

  it('fails with AUTHORIZATION_VIOLATION for a wrong password, without printing it', async () => {
    const wrong = secret('w');
    const run = await runVetoStream(['dead-letters'], { ...asUser('auth'), NATS_PASSWORD: wrong });

    expect(run).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('veto-stream dead-letters failed (AUTHORIZATION_VIOLATION)') });
    expect(run.stderr).not.toContain(wrong);
  });

  it('refuses credentials in the server URL with CREDENTIALS_IN_URL', async () => {
    const run = await runVetoStream(['dead-letters', '--nats-url', server.url.replace('nats://', `nats://auth:${PASSWORDS.auth}@`)]);

    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('veto-stream (CREDENTIALS_IN_URL)') });
    expectNoPassword(run);
  });

  it.each([
    [['--limit', '0'], '--limit must be a positive integer'],
    [['--since', '2h'], 'dead-letters does not take --since'],
  ])('refuses %j with INVALID_ARGUMENTS', async (args, message) => {
    const run = await runVetoStream(['dead-letters', ...args], asUser('auth'));

    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining(`veto-stream (INVALID_ARGUMENTS): ${message}`) });
  });
});

describe('veto-stream dead-letters on a server without the dead-letter stream', () => {
  let server: NatsServerHandle;

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server?.cleanup();
  });

  it('fails with STREAM_NOT_FOUND before the stream exists, and answers 0 dead letters once it does', async () => {
    const missing = await runVetoStream(['dead-letters', '--nats-url', server.url]);
    const nc = await connectTo(server);
    await ensureStreams(nc);
    await nc.close();
    const empty = await runVetoStream(['dead-letters', '--nats-url', server.url]);

    expect(missing).toMatchObject({ code: 1, stdout: '', stderr: expect.stringContaining('veto-stream dead-letters failed (STREAM_NOT_FOUND): stream VETO_DLQ does not exist') });
    expect(empty).toMatchObject({ code: 0, stdout: 'VETO_DLQ: 0 dead letters\n', stderr: '' });
  });
});
