import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { EventError } from './errors';
import { EventPublisher, type PublishResult } from './event-publisher';
import { ArchiveLineError, parseArchiveLine, type ArchiveEntry } from './stream-archive-line';
import { assertSubjectPrefix, DEFAULT_SUBJECT_PREFIX } from './subjects';

/** Options of {@link replayStream}. */
export interface ReplayStreamOptions {
  /** The archive to read (JSONL); exactly one of `file` and `readable`. */
  file?: string;
  /** The archive as a stream of text, for example `process.stdin` or `Readable.from(lines)`. */
  readable?: Readable;
  /** The prefix of the target stream's subjects; `auth` by default. The stream must exist (`ensureStreams`). */
  subjectPrefix?: string;
  /** The prefix the recorded subjects were under, replaced by `subjectPrefix` for raw messages; `auth` by default. */
  sourceSubjectPrefix?: string;
  /** Publishes awaiting their acknowledgement at once; 256 by default. Order is kept: one connection sends in order. */
  maxInFlight?: number;
  /** Acknowledgement timeout per publish; 5 s by default. */
  timeoutMs?: number;
}

/** Counts of a replay. */
export interface ReplayResult {
  /** Non-blank lines read. */
  lines: number;
  /** Valid events, published through the publisher with their ids. */
  events: number;
  /** Other messages (malformed, unknown type or version), published as their bytes. */
  raw: number;
  /** Messages the stream stored. */
  stored: number;
  /** Messages the stream dropped as duplicates (same `Nats-Msg-Id` within the duplicate window). */
  duplicates: number;
}

const SUBJECT_TOKENS = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

function check(options: ReplayStreamOptions) {
  const { file, readable, subjectPrefix = DEFAULT_SUBJECT_PREFIX, sourceSubjectPrefix = DEFAULT_SUBJECT_PREFIX, maxInFlight = 256, timeoutMs = 5000 } = options;
  if ((file === undefined) === (readable === undefined)) throw new TypeError('replayStream needs exactly one of file and readable');
  if (file !== undefined && (typeof file !== 'string' || file.length === 0)) throw new TypeError('file must be a non-empty path');
  assertSubjectPrefix(subjectPrefix);
  assertSubjectPrefix(sourceSubjectPrefix);
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new TypeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive integer, got ${timeoutMs}`);
  return { file, readable, subjectPrefix, sourceSubjectPrefix, maxInFlight, timeoutMs };
}

/** Where a raw message goes: its recorded subject moved under the target prefix, else its `type`, else `<prefix>.malformed`. */
function rawSubject(entry: ArchiveEntry, json: unknown, prefix: string, sourcePrefix: string): string {
  if (entry.subject !== undefined) {
    if (!entry.subject.startsWith(`${sourcePrefix}.`)) {
      throw new ArchiveLineError(entry.line, `subject ${entry.subject} is not under the source prefix ${sourcePrefix}`);
    }
    return `${prefix}${entry.subject.slice(sourcePrefix.length)}`;
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  return typeof type === 'string' && SUBJECT_TOKENS.test(type) ? `${prefix}.${type}` : `${prefix}.malformed`;
}

async function publishRaw(js: JetStreamClient, entry: ArchiveEntry & { payload: { kind: 'raw' } }, subject: string, timeoutMs: number): Promise<PublishResult> {
  const hdrs = natsHeaders();
  for (const [name, values] of Object.entries(entry.headers ?? {})) for (const value of values) hdrs.append(name, value);
  try {
    const ack = await js.publish(subject, entry.payload.bytes, { timeout: timeoutMs, ...(entry.headers === undefined ? {} : { headers: hdrs }) });
    return { seq: ack.seq, duplicate: ack.duplicate };
  } catch (cause) {
    throw new EventError('PUBLISH_FAILED', `could not publish archive line ${entry.line} to ${subject}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Publishes a stream archive (a recording by `recordStream`, or a hand-written fixture) into a
 * stream, in file order. Valid events go through {@link EventPublisher}, so each keeps its id as
 * `Nats-Msg-Id` and a repeated id within the duplicate window is stored once; anything else is
 * published as its bytes with its recorded headers. The stream assigns new sequences and stored
 * times: recorded `seq` and `time` are informational.
 *
 * @param nc - a connection with JetStream; the target stream must exist
 * @param options - see {@link ReplayStreamOptions}
 * @returns how many lines, events, raw messages, stored messages and duplicates
 * @throws TypeError on invalid options; ArchiveLineError (`EVENT_MALFORMED`) for an unreadable line, after the
 *   lines before it were published; EventError `PUBLISH_FAILED` when the stream does not acknowledge a publish
 * @example
 * const result = await replayStream(nc, { file: 'incident.jsonl', subjectPrefix: 'auth' });
 * console.log(`${result.stored} stored, ${result.duplicates} duplicates`);
 */
export function replayStream(nc: NatsConnection, options: ReplayStreamOptions): Promise<ReplayResult> {
  return replay(nc, check(options));
}

async function replay(nc: NatsConnection, options: ReturnType<typeof check>): Promise<ReplayResult> {
  const { file, readable, subjectPrefix, sourceSubjectPrefix, maxInFlight, timeoutMs } = options;
  const input = readable ?? createReadStream(file as string);
  const publisher = new EventPublisher(nc, { subjectPrefix, timeoutMs });
  const js = jetstream(nc, { timeout: timeoutMs });
  const result: ReplayResult = { lines: 0, events: 0, raw: 0, stored: 0, duplicates: 0 };
  const inFlight = new Set<Promise<void>>();
  const failures: unknown[] = [];

  const track = (publish: Promise<PublishResult>): void => {
    const tracked: Promise<void> = publish
      .then(
        ({ duplicate }) => {
          if (duplicate) result.duplicates += 1;
          else result.stored += 1;
        },
        (error: unknown) => {
          failures.push(error);
        },
      )
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (failures.length > 0) break;
      const entry = parseArchiveLine(text, lineNumber);
      if (entry === undefined) continue;
      result.lines += 1;
      const { payload } = entry;
      if (payload.kind === 'event') {
        result.events += 1;
        track(publisher.publish(payload.event));
      } else {
        result.raw += 1;
        track(publishRaw(js, { ...entry, payload }, rawSubject(entry, payload.json, subjectPrefix, sourceSubjectPrefix), timeoutMs));
      }
      // Publishes are sent in call order on one connection; waiting here only bounds the unacknowledged ones.
      if (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
  } finally {
    lines.close();
    await Promise.all(inFlight);
  }
  const [first] = failures;
  if (first !== undefined) {
    if (failures.length === 1) throw first;
    throw new EventError('PUBLISH_FAILED', `${failures.length} publishes failed; the first: ${(first as Error).message}`, { cause: first });
  }
  return result;
}
