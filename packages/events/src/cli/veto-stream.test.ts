import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectTo } from '../connect-to';
import { createEvent } from '../create-event';
import { ensureStreams } from '../ensure-streams';
import { EventPublisher } from '../event-publisher';
import { startNatsServer, type NatsServerHandle } from '../nats-server-harness';
import { parseArchiveLine } from '../stream-archive-line';
import { replayStream } from '../stream-archive-replay';
import { runVetoStream, TSX, VETO_STREAM_CLI as CLI } from './test-support/run-veto-stream';

const vetoStream = (...args: string[]) => runVetoStream(args);

let source: NatsServerHandle;
let target: NatsServerHandle;
let sourceNc: NatsConnection;
let dir: string;

beforeAll(async () => {
  [source, target] = await Promise.all([startNatsServer(), startNatsServer()]);
  sourceNc = await connectTo(source);
  dir = await mkdtemp(join(tmpdir(), 'veto-stream-cli-'));
});
afterAll(async () => {
  await sourceNc?.close();
  await Promise.all([source?.cleanup(), target?.cleanup()]);
  await rm(dir, { recursive: true, force: true });
});

const ban = createEvent('user.banned', { userId: 'u1', revokedAt: '2026-01-15T10:00:00.000Z' }, { source: 'auth' });
const signOut = createEvent('session.revoked', { userId: 'u2', sessionId: 's2', revokedAt: '2026-01-15T10:01:00.000Z' }, { source: 'auth' });
const incident = [JSON.stringify(ban), '{"$raw":"{truncated"}', JSON.stringify({ ...signOut, id: 'v9', version: 9 }), JSON.stringify(signOut)].join('\n');

async function payloadsOf(file: string) {
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  return lines.map((line, index) => {
    const entry = parseArchiveLine(line, index + 1);
    return { subject: entry?.subject, headers: entry?.headers, payload: entry?.payload };
  });
}

describe('veto-stream', () => {
  it('records the AUTH stream, replays it into another server, and a second recording holds the same messages', async () => {
    await ensureStreams(sourceNc);
    await replayStream(sourceNc, { readable: Readable.from([incident]) });
    const first = join(dir, 'first.jsonl');
    const second = join(dir, 'second.jsonl');

    const recorded = await vetoStream('record', '--nats-url', source.url, '--stream', 'AUTH', '--out', first, '--since', '1h');
    expect(recorded).toMatchObject({ code: 0, stderr: expect.stringContaining('recorded 4 messages of AUTH') });

    const missing = await vetoStream('replay', '--nats-url', target.url, '--in', first);
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('--create-stream') });

    const replayed = await vetoStream('replay', '--nats-url', target.url, '--in', first, '--create-stream');
    expect(replayed).toMatchObject({ code: 0, stderr: expect.stringContaining('2 events, 2 raw messages; 4 stored, 0 duplicates') });

    expect(await vetoStream('record', '--nats-url', target.url, '--out', second)).toMatchObject({ code: 0 });
    const [before, after] = await Promise.all([payloadsOf(first), payloadsOf(second)]);
    expect(after).toHaveLength(4);
    expect(after).toEqual(before);
  });

  it('writes the recording to stdout with --out -', async () => {
    const run = await vetoStream('record', '--nats-url', source.url, '--out', '-', '--from-seq', '4');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines.map((line, index) => parseArchiveLine(line, index + 1)?.payload)).toEqual([{ kind: 'event', event: signOut }]);
  });

  it('follows new messages until interrupted, then exits with 0', async () => {
    const names = { name: 'FOLLOW', subjectPrefix: 'follow', deadLetterStream: 'FOLLOW_DLQ', deadLetterPrefix: 'follow-dlq' };
    await ensureStreams(sourceNc, names);
    const publisher = new EventPublisher(sourceNc, { subjectPrefix: names.subjectPrefix });
    await publisher.publish(ban);
    const child = spawn(process.execPath, ['--import', TSX, CLI, 'record', '--nats-url', source.url, '--stream', names.name, '--out', '-', '--follow']);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const lines = async (count: number) => {
      while (stdout.split('\n').filter(Boolean).length < count) await once(child.stdout, 'data');
    };
    await lines(1);
    await publisher.publish(signOut);
    await lines(2);
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    expect((await exited)[0]).toBe(0);
    expect(stderr).toContain('recorded 2 messages of FOLLOW (last seq 2)');
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line, index) => parseArchiveLine(line, index + 1)?.payload),
    ).toEqual([
      { kind: 'event', event: ban },
      { kind: 'event', event: signOut },
    ]);
  });

  it('exits with 2 and the usage on a bad command line', async () => {
    const run = await vetoStream('record', '--nats-url', source.url, '--out', 'x.jsonl', '--since', 'yesterday');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--since must be a duration');
    expect(run.stderr).toContain('Usage:');
  });

  it('exits with 1 and the error code when the stream does not exist', async () => {
    const run = await vetoStream('record', '--nats-url', source.url, '--stream', 'NOPE', '--out', join(dir, 'nope.jsonl'));
    expect(run).toMatchObject({ code: 1, stderr: expect.stringContaining('(SUBSCRIPTION_FAILED)') });
  });
});
