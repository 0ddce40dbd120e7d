import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { nanos, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerConfig } from '@nats-io/jetstream';
import { EventError } from './errors';
import { formatArchiveLine } from './stream-archive-line';
import { DEFAULT_STREAM } from './subjects';

/** Options of {@link recordStream}. */
export interface RecordStreamOptions {
  /** The stream to record; `AUTH` by default. Every subject of it is recorded. */
  stream?: string;
  /** Where to write the JSONL (created or truncated); exactly one of `file` and `writable`. */
  file?: string;
  /** A stream to write the JSONL to, for example `process.stdout`; it is not ended. */
  writable?: Writable;
  /** Start at the first message stored at or after this time; at most one of `fromTime` and `fromSeq`. Default: the first message. */
  fromTime?: Date;
  /** Start at this stream sequence. */
  fromSeq?: number;
  /** Keep recording new messages until `signal` aborts, instead of stopping at the last message stored at the start. */
  follow?: boolean;
  /** Stops a recording (required with `follow`); the lines written so far stay complete. */
  signal?: AbortSignal;
}

/** What a recording wrote. */
export interface RecordResult {
  /** Lines written, one per stored message. */
  recorded: number;
  /** Stream sequence of the last message written; 0 when none. */
  lastSeq: number;
}

const STREAM_NAME = /^[A-Za-z0-9_-]+$/;

function check(options: RecordStreamOptions) {
  const { stream = DEFAULT_STREAM, file, writable, fromTime, fromSeq, follow = false, signal } = options;
  if (!STREAM_NAME.test(stream)) throw new TypeError(`stream must match ${STREAM_NAME}, got ${JSON.stringify(stream)}`);
  if ((file === undefined) === (writable === undefined)) throw new TypeError('recordStream needs exactly one of file and writable');
  if (file !== undefined && (typeof file !== 'string' || file.length === 0)) throw new TypeError('file must be a non-empty path');
  if (fromTime !== undefined && fromSeq !== undefined) throw new TypeError('give at most one of fromTime and fromSeq');
  if (fromTime !== undefined && (!(fromTime instanceof Date) || Number.isNaN(fromTime.getTime()))) throw new TypeError('fromTime must be a valid Date');
  if (fromSeq !== undefined && (!Number.isSafeInteger(fromSeq) || fromSeq < 1)) throw new TypeError(`fromSeq must be a positive integer, got ${fromSeq}`);
  if (follow && signal === undefined) throw new TypeError('follow needs a signal to stop the recording');
  return { stream, file, writable, fromTime, fromSeq, follow, signal };
}

function startPolicy(fromTime: Date | undefined, fromSeq: number | undefined): Partial<ConsumerConfig> {
  if (fromTime !== undefined) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: fromTime.toISOString() };
  if (fromSeq !== undefined) return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq };
  return { deliver_policy: DeliverPolicy.All };
}

function headersOf(hdrs: MsgHdrs | undefined): Record<string, string[]> | undefined {
  if (hdrs === undefined) return undefined;
  return Object.fromEntries(hdrs.keys().map((name) => [name, hdrs.values(name)]));
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/**
 * Records a stream as JSONL, one line per stored message: `{ seq, subject, time, headers?, data }`,
 * where `time` is when the stream stored it and `data` the payload (JSON as JSON, other bytes as
 * `{ "$raw": text }` or `{ "$base64": … }`). Reads with an ephemeral, unacknowledged consumer, so
 * the stream and its other consumers are untouched. Without `follow` it stops after the last
 * message stored when it started.
 *
 * @param nc - a connection with JetStream
 * @param options - see {@link RecordStreamOptions}
 * @returns how many lines were written and the last sequence
 * @throws TypeError on invalid options; EventError `SUBSCRIPTION_FAILED` when the stream cannot be read
 *   (missing stream, connection closed)
 * @example
 * const { recorded } = await recordStream(nc, { stream: 'AUTH', file: 'incident.jsonl', fromTime: new Date(Date.now() - 2 * 3600_000) });
 */
export function recordStream(nc: NatsConnection, options: RecordStreamOptions): Promise<RecordResult> {
  return record(nc, check(options));
}

async function record(nc: NatsConnection, options: ReturnType<typeof check>): Promise<RecordResult> {
  const { stream, file, writable, fromTime, fromSeq, follow, signal } = options;
  const out = writable ?? createWriteStream(file as string);
  const result: RecordResult = { recorded: 0, lastSeq: 0 };
  try {
    await copy(nc, stream, { ...startPolicy(fromTime, fromSeq), follow, signal, out, result });
  } finally {
    if (writable === undefined) {
      out.end();
      await finished(out);
    }
  }
  return result;
}

interface CopyState {
  follow: boolean;
  signal: AbortSignal | undefined;
  out: Writable;
  result: RecordResult;
}

async function copy(nc: NatsConnection, stream: string, options: Partial<ConsumerConfig> & CopyState): Promise<void> {
  const { follow, signal, out, result, ...start } = options;
  let jsm;
  let consumerName: string;
  let lastSeqAtStart: number;
  let pending: number;
  try {
    jsm = await jetstreamManager(nc);
    lastSeqAtStart = (await jsm.streams.info(stream)).state.last_seq;
    const info = await jsm.consumers.add(stream, { ...start, ack_policy: AckPolicy.None, mem_storage: true, inactive_threshold: nanos(60_000) });
    consumerName = info.name;
    pending = info.num_pending;
  } catch (cause) {
    throw new EventError('SUBSCRIPTION_FAILED', `could not start recording stream ${stream}: ${(cause as Error).message}`, { cause });
  }
  try {
    if (pending === 0 && !follow) return;
    const messages = await (await jetstream(nc).consumers.get(stream, consumerName)).consume();
    const stop = (): void => void messages.stop();
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    let reachedEnd = false;
    let closeResult: void | Error;
    try {
      for await (const msg of messages) {
        const time = msg.time.toISOString();
        await write(out, `${formatArchiveLine({ seq: msg.seq, subject: msg.subject, time, headers: headersOf(msg.headers), data: msg.data })}\n`);
        result.recorded += 1;
        result.lastSeq = msg.seq;
        // The sequence bound ends the copy at what was stored when it started, even while events keep arriving.
        if (!follow && (msg.seq >= lastSeqAtStart || msg.info.pending === 0)) {
          reachedEnd = true;
          break;
        }
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      closeResult = await messages.close();
    }
    // The client reports a consumer that ended on an error through close(), not by throwing.
    if (closeResult instanceof Error) throw closeResult;
    if (!follow && !reachedEnd) throw new EventError('SUBSCRIPTION_FAILED', `recording stream ${stream} ended at seq ${result.lastSeq}, before seq ${lastSeqAtStart}`);
  } catch (cause) {
    throw cause instanceof EventError ? cause : new EventError('SUBSCRIPTION_FAILED', `recording stream ${stream} failed: ${(cause as Error).message}`, { cause });
  } finally {
    if (!nc.isClosed()) await jsm.consumers.delete(stream, consumerName);
  }
}
