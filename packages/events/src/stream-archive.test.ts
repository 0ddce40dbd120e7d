import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { jetstream } from '@nats-io/jetstream';
import { createEvent } from './create-event';
import { ensureStreams } from './ensure-streams';
import { EventPublisher } from './event-publisher';
import { parseArchiveLine } from './stream-archive-line';
import { recordStream } from './stream-archive-record';
import { replayStream } from './stream-archive-replay';
import { useNatsServer } from './test-support/nats-suite';
import { uniqueNames } from './test-support/unique-names';

const suite = useNatsServer();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'veto-archive-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function freshStream() {
  const names = uniqueNames();
  await ensureStreams(suite.nc, names);
  return names;
}

const at = (iso: string) => new Date(iso);
const ban = createEvent('user.banned', { userId: 'u1', revokedAt: '2026-01-15T10:00:00.000Z' }, { source: 'auth', occurredAt: at('2026-01-15T10:00:00.000Z') });
const signOut = createEvent(
  'session.revoked',
  { userId: 'u2', sessionId: 's2', revokedAt: '2026-01-15T10:01:00.000Z' },
  { source: 'auth', occurredAt: at('2026-01-15T10:01:00.000Z') },
);
const futureVersion = { ...ban, id: 'v2-event', version: 2 };

const fixture = [JSON.stringify(ban), '', JSON.stringify(ban), JSON.stringify(futureVersion), '{"$raw":"{broken"}', JSON.stringify(signOut)].join('\n');

async function recordLines(stream: string, extra: { fromSeq?: number; fromTime?: Date } = {}) {
  const file = join(dir, `${stream}-${Math.random().toString(36).slice(2)}.jsonl`);
  const result = await recordStream(suite.nc, { stream, file, ...extra });
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  return { result, file, entries: lines.map((line, index) => parseArchiveLine(line, index + 1)) };
}

describe('replayStream and recordStream', () => {
  it('publishes a fixture in order: events with their ids (duplicates stored once), other lines as raw bytes', async () => {
    const names = await freshStream();
    const result = await replayStream(suite.nc, { readable: Readable.from([fixture]), subjectPrefix: names.subjectPrefix });
    expect(result).toEqual({ lines: 5, events: 3, raw: 2, stored: 4, duplicates: 1 });

    const { entries } = await recordLines(names.name);
    expect(entries.map((entry) => entry?.subject)).toEqual([
      `${names.subjectPrefix}.user.banned`,
      `${names.subjectPrefix}.user.banned`,
      `${names.subjectPrefix}.malformed`,
      `${names.subjectPrefix}.session.revoked`,
    ]);
    expect(entries.map((entry) => entry?.seq)).toEqual([1, 2, 3, 4]);
    expect(entries[0]).toMatchObject({ payload: { kind: 'event', event: ban }, headers: { 'Nats-Msg-Id': [ban.id] } });
    expect(entries[1]?.payload).toEqual({ kind: 'raw', bytes: expect.anything(), json: futureVersion });
    expect(entries[2]?.payload).toMatchObject({ kind: 'raw', json: { $raw: '{broken' } });
    expect(entries[3]?.payload).toEqual({ kind: 'event', event: signOut });
  });

  it('reproduces a recording in another stream: recording it again gives the same subjects, headers and payloads', async () => {
    const source = await freshStream();
    await replayStream(suite.nc, { readable: Readable.from([fixture]), subjectPrefix: source.subjectPrefix });
    const first = await recordLines(source.name);

    const target = await freshStream();
    const replayed = await replayStream(suite.nc, { file: first.file, sourceSubjectPrefix: source.subjectPrefix, subjectPrefix: target.subjectPrefix });
    expect(replayed).toEqual({ lines: 4, events: 2, raw: 2, stored: 4, duplicates: 0 });
    const second = await recordLines(target.name);

    const comparable = (entries: typeof first.entries, prefix: string) =>
      entries.map((entry) => ({ subject: entry?.subject?.slice(prefix.length), headers: entry?.headers, payload: entry?.payload }));
    expect(comparable(second.entries, target.subjectPrefix)).toEqual(comparable(first.entries, source.subjectPrefix));
  });

  it('records from a sequence or from a stored time', async () => {
    const names = await freshStream();
    const publisher = new EventPublisher(suite.nc, { subjectPrefix: names.subjectPrefix });
    await publisher.publish(ban);
    const { seq } = await publisher.publish(signOut);

    expect((await recordLines(names.name, { fromSeq: seq })).entries.map((entry) => entry?.seq)).toEqual([seq]);
    // Stored times are written with millisecond precision, and both messages may share one.
    const [firstStored, lastStored] = (await recordLines(names.name)).entries.map((entry) => Date.parse(entry?.time as string));
    expect((await recordLines(names.name, { fromTime: new Date(firstStored as number) })).entries.map((entry) => entry?.seq)).toEqual([1, seq]);
    expect((await recordLines(names.name, { fromTime: new Date((lastStored as number) + 1) })).result).toEqual({ recorded: 0, lastSeq: 0 });
    expect((await recordLines(names.name, { fromSeq: seq + 1 })).result).toEqual({ recorded: 0, lastSeq: 0 });
  });

  it('follows new messages until aborted', async () => {
    const names = await freshStream();
    const out = new PassThrough();
    const lines: string[] = [];
    out.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    const abort = new AbortController();
    const recording = recordStream(suite.nc, { stream: names.name, writable: out, follow: true, signal: abort.signal });
    const firstLine = new Promise<void>((resolve) => out.once('data', () => resolve()));
    await new EventPublisher(suite.nc, { subjectPrefix: names.subjectPrefix }).publish(ban);
    await firstLine;
    abort.abort();
    expect(await recording).toEqual({ recorded: 1, lastSeq: 1 });
    expect(parseArchiveLine(lines[0] as string, 1)?.payload).toEqual({ kind: 'event', event: ban });
  });

  it('stops at an unreadable line, after publishing the lines before it', async () => {
    const names = await freshStream();
    const file = join(dir, 'broken.jsonl');
    await writeFile(file, `${JSON.stringify(ban)}\nnot json\n${JSON.stringify(signOut)}\n`);
    await expect(replayStream(suite.nc, { file, subjectPrefix: names.subjectPrefix })).rejects.toMatchObject({ code: 'EVENT_MALFORMED', line: 2 });
    const info = await (await jetstream(suite.nc).streams.get(names.name)).info();
    expect(info.state.messages).toBe(1);
  });

  it('fails with PUBLISH_FAILED when no stream captures the subjects', async () => {
    await expect(replayStream(suite.nc, { readable: Readable.from([JSON.stringify(ban)]), subjectPrefix: 'nostream' })).rejects.toMatchObject({ code: 'PUBLISH_FAILED' });
  });

  it('fails with SUBSCRIPTION_FAILED when recording a stream that does not exist', async () => {
    await expect(recordStream(suite.nc, { stream: 'NO_SUCH_STREAM', writable: new PassThrough() })).rejects.toMatchObject({ code: 'SUBSCRIPTION_FAILED' });
  });

  it('rejects misuse with TypeError', () => {
    expect(() => replayStream(suite.nc, {})).toThrow(TypeError);
    expect(() => recordStream(suite.nc, { writable: new PassThrough(), follow: true })).toThrow(TypeError);
  });
});
