import type { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager, JetStreamApiCodes, JetStreamApiError, type StoredMsg } from '@nats-io/jetstream';
import { DEAD_LETTER_HEADERS } from '../dead-letter';
import { VetoStreamError } from './veto-stream-error';

/** The state of a dead-letter stream; the times are absent when it holds nothing. */
export interface DeadLetterStreamState {
  stream: string;
  messages: number;
  bytes: number;
  firstSeq: number;
  lastSeq: number;
  firstTime?: string;
  lastTime?: string;
}

/** One dead letter: where the stream stores it, what its headers say, and what the payload is. */
export interface DeadLetterEntry {
  seq: number;
  time: string;
  subject: string;
  /** The `Veto-*` headers by their `DEAD_LETTER_HEADERS` key (`reason`, `errorCode`, `service`, `seq`, …); absent ones are left out. */
  headers: Partial<Record<keyof typeof DEAD_LETTER_HEADERS, string>>;
  bytes: number;
  /** The event's id and type when the payload is a JSON object carrying them. */
  event?: { id: string; type: string };
  /** The start of the payload as text when it is not an event (a malformed message). */
  preview?: string;
}

/** What `listDeadLetters` found: the stream's state and its newest dead letters, oldest first. */
export interface DeadLetterListing {
  state: DeadLetterStreamState;
  deadLetters: DeadLetterEntry[];
}

const PREVIEW_CHARS = 120;

const counted = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;

function describePayload(data: Uint8Array): Pick<DeadLetterEntry, 'event' | 'preview'> {
  const text = new TextDecoder().decode(data);
  try {
    const parsed: unknown = JSON.parse(text);
    const { id, type } = (parsed ?? {}) as { id?: unknown; type?: unknown };
    if (typeof id === 'string' && typeof type === 'string') return { event: { id, type } };
  } catch {
    // Not JSON: a malformed message, shown by its start below.
  }
  return { preview: text.replace(/\s+/g, ' ').slice(0, PREVIEW_CHARS) };
}

function toEntry(message: StoredMsg): DeadLetterEntry {
  const headers: DeadLetterEntry['headers'] = {};
  for (const [key, name] of Object.entries(DEAD_LETTER_HEADERS) as [keyof typeof DEAD_LETTER_HEADERS, string][]) {
    const value = message.header?.get(name);
    if (value) headers[key] = value;
  }
  return { seq: message.seq, time: message.time.toISOString(), subject: message.subject, headers, bytes: message.data.length, ...describePayload(message.data) };
}

function readError(stream: string, cause: unknown): Error {
  if (cause instanceof JetStreamApiError && cause.code === JetStreamApiCodes.StreamNotFound) {
    return new VetoStreamError(
      'STREAM_NOT_FOUND',
      `stream ${stream} does not exist on this server: the auth service creates it at start-up (ensureStreams), so auth has not run against this server or the stream was deleted`,
      { cause },
    );
  }
  // A request refused by the server rejects with a RequestError whose cause is the violation.
  const violation = cause instanceof Error && cause.name === 'RequestError' ? cause.cause : cause;
  if (violation instanceof Error && violation.name === 'PermissionViolationError') {
    return new VetoStreamError(
      'PERMISSIONS_VIOLATION',
      `this user may not use ${(violation as { subject?: string }).subject ?? 'the JetStream API'}: reading ${stream} takes the auth user of infra/nats/veto.conf (NATS_USER=auth), which holds $JS.API.STREAM.INFO.${stream} and $JS.API.STREAM.MSG.GET.${stream}`,
      { cause },
    );
  }
  return cause as Error;
}

/**
 * Reads the state of the dead-letter stream and its newest dead letters, by direct gets of
 * sequences from the last one backwards: no consumer is created, so a user allowed only
 * `$JS.API.STREAM.INFO.<stream>` and `$JS.API.STREAM.MSG.GET.<stream>` can run it.
 *
 * @param nc - a connection with JetStream enabled
 * @param options - the stream (`VETO_DLQ`) and how many dead letters to return at most
 * @returns the stream state and up to `limit` dead letters, oldest first
 * @throws VetoStreamError `STREAM_NOT_FOUND` when the stream does not exist, `PERMISSIONS_VIOLATION` when the user may not read it
 * @example
 * const { state, deadLetters } = await listDeadLetters(nc, { stream: 'VETO_DLQ', limit: 20 });
 */
export async function listDeadLetters(nc: NatsConnection, options: { stream: string; limit: number }): Promise<DeadLetterListing> {
  const { stream, limit } = options;
  try {
    const jsm = await jetstreamManager(nc);
    const { state: info } = await jsm.streams.info(stream);
    const state: DeadLetterStreamState = {
      stream,
      messages: info.messages,
      bytes: info.bytes,
      firstSeq: info.first_seq,
      lastSeq: info.last_seq,
      ...(info.messages > 0 ? { firstTime: new Date(info.first_ts).toISOString(), lastTime: new Date(info.last_ts).toISOString() } : {}),
    };
    const deadLetters: DeadLetterEntry[] = [];
    // Sequences removed since (age limit, deletes) answer null and are skipped.
    for (let seq = info.last_seq; info.messages > 0 && seq >= info.first_seq && deadLetters.length < limit; seq--) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (message) deadLetters.unshift(toEntry(message));
    }
    return { state, deadLetters };
  } catch (cause) {
    throw readError(stream, cause);
  }
}

function describeEntry(entry: DeadLetterEntry): string {
  const h = entry.headers;
  const why = [
    h.reason ?? 'unknown reason',
    h.deliveryCount === undefined ? '' : ` after ${counted(Number(h.deliveryCount), 'delivery', 'deliveries')}`,
    h.errorCode === undefined ? '' : `: ${h.errorCode}`,
    h.errorMessage === undefined ? '' : ` ${h.errorMessage}`,
  ].join('');
  const from = `${h.service ?? 'unknown service'}, ${h.stream ?? '?'} seq ${h.seq ?? '?'} (${h.subject ?? '?'})`;
  const payload = entry.event ? `event ${entry.event.type} ${entry.event.id}` : `not an event: ${JSON.stringify(entry.preview)}`;
  return [`#${entry.seq}  ${entry.time}  ${entry.subject}`, `    why:     ${why}`, `    from:    ${from}`, `    payload: ${payload} (${entry.bytes} bytes)`].join('\n');
}

/**
 * Renders a listing for a terminal: one line of stream state, then each dead letter in four lines.
 *
 * @param listing - from listDeadLetters
 * @param limit - the limit it was read with, to say when older dead letters are not shown
 * @example
 * process.stdout.write(formatDeadLetters(await listDeadLetters(nc, { stream: 'VETO_DLQ', limit: 20 }), 20));
 */
export function formatDeadLetters(listing: DeadLetterListing, limit: number): string {
  const { state, deadLetters } = listing;
  if (state.messages === 0) return `${state.stream}: 0 dead letters\n`;
  const lines = [
    `${state.stream}: ${counted(state.messages, 'dead letter', 'dead letters')}, ${state.bytes} bytes, seq ${state.firstSeq} (${state.firstTime}) to ${state.lastSeq} (${state.lastTime})`,
    deadLetters.length < state.messages ? `the newest ${deadLetters.length} (--limit ${limit}):` : `all ${deadLetters.length}:`,
    '',
    deadLetters.map(describeEntry).join('\n\n'),
  ];
  return `${lines.join('\n')}\n`;
}
