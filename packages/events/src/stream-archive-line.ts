import { EventError } from './errors';
import type { VetoEvent } from './event-schemas';
import { parseEvent } from './parse-event';

/**
 * What one archive line publishes: a valid event (sent through the publisher, so its id stays
 * the `Nats-Msg-Id`), or bytes sent as they are (malformed, unknown-type or unknown-version messages).
 */
export type ArchivePayload = { kind: 'event'; event: VetoEvent } | { kind: 'raw'; bytes: Uint8Array; json: unknown };

/** One parsed line of a stream archive (a recording or a replay fixture). */
export interface ArchiveEntry {
  /** 1-based line number in the file, for error messages. */
  line: number;
  payload: ArchivePayload;
  /** Recorded lines only: where the message was stored. */
  subject?: string;
  seq?: number;
  time?: string;
  headers?: Record<string, string[]>;
}

/** A message as {@link formatArchiveLine} writes it. */
export interface ArchivedMessage {
  seq: number;
  subject: string;
  /** The time the stream stored the message (ISO-8601), not the event's `occurredAt`. */
  time: string;
  headers?: Record<string, string[]>;
  data: Uint8Array;
}

/**
 * A line of a stream archive that cannot be read: not JSON, or not one of the line shapes.
 * Carries the line number; the code is always `EVENT_MALFORMED`.
 *
 * @param line - the 1-based line number
 * @param message - what is wrong
 * @example
 * if (error instanceof ArchiveLineError) console.error(`line ${error.line}: ${error.message}`);
 */
export class ArchiveLineError extends EventError {
  readonly line: number;

  constructor(line: number, message: string, options?: { cause?: unknown }) {
    super('EVENT_MALFORMED', `archive line ${line}: ${message}`, options);
    this.line = line;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKey(value: Record<string, unknown>, key: string): string | undefined {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key && typeof value[key] === 'string' ? value[key] : undefined;
}

function payloadOf(value: unknown): ArchivePayload {
  if (isRecord(value)) {
    const raw = onlyKey(value, '$raw');
    if (raw !== undefined) return { kind: 'raw', bytes: encoder.encode(raw), json: value };
    const base64 = onlyKey(value, '$base64');
    if (base64 !== undefined) return { kind: 'raw', bytes: Buffer.from(base64, 'base64'), json: value };
  }
  try {
    return { kind: 'event', event: parseEvent(value) };
  } catch (error) {
    // An invalid event is exactly what a fixture or an incident recording may need to reproduce.
    if (!(error instanceof EventError)) throw error;
    return { kind: 'raw', bytes: encoder.encode(JSON.stringify(value)), json: value };
  }
}

function readHeaders(value: unknown, line: number): Record<string, string[]> {
  if (!isRecord(value) || !Object.values(value).every((v) => Array.isArray(v) && v.every((item) => typeof item === 'string'))) {
    throw new ArchiveLineError(line, 'headers must map names to arrays of strings');
  }
  return value as Record<string, string[]>;
}

/**
 * Parses one line of a stream archive. Two shapes share one parser:
 * - a recorded line `{ seq, subject, time, headers?, data }` (what `recordStream` writes);
 * - a bare payload: the envelope itself, as in hand-written fixtures.
 * A payload (bare or `data`) of exactly `{ "$raw": "<text>" }` stands for a message whose bytes
 * are that text (typically invalid JSON), `{ "$base64": "…" }` for bytes that are not UTF-8;
 * any other JSON value is published as its JSON text, through the publisher when it is a valid event.
 *
 * @param text - the line, without its newline
 * @param line - its 1-based number, for errors
 * @returns the entry, or undefined for a blank line
 * @throws ArchiveLineError (`EVENT_MALFORMED`) when the line is not JSON or a recorded line is incomplete
 * @example
 * parseArchiveLine('{"$raw":"not json"}', 3); // { line: 3, payload: { kind: 'raw', bytes, json } }
 */
export function parseArchiveLine(text: string, line: number): ArchiveEntry | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ArchiveLineError(line, 'not valid JSON; write a malformed message as {"$raw": "…"}', { cause });
  }
  if (!isRecord(value) || typeof value.subject !== 'string') return { line, payload: payloadOf(value) };
  if (!('data' in value)) throw new ArchiveLineError(line, 'a recorded line (with "subject") needs "data"');
  if (value.seq !== undefined && !Number.isSafeInteger(value.seq)) throw new ArchiveLineError(line, '"seq" must be an integer');
  if (value.time !== undefined && typeof value.time !== 'string') throw new ArchiveLineError(line, '"time" must be a string');
  return {
    line,
    payload: payloadOf(value.data),
    subject: value.subject,
    ...(value.seq === undefined ? {} : { seq: value.seq as number }),
    ...(value.time === undefined ? {} : { time: value.time }),
    ...(value.headers === undefined ? {} : { headers: readHeaders(value.headers, line) }),
  };
}

/**
 * Formats a stored message as one archive line (no newline): the payload as JSON when it is
 * JSON, else `{ "$raw": text }`, else `{ "$base64": … }`, so every line reads back with
 * {@link parseArchiveLine} to the same bytes.
 *
 * @param message - sequence, subject, stored time, headers and bytes of the message
 * @example
 * out.write(`${formatArchiveLine({ seq: msg.seq, subject: msg.subject, time, data: msg.data })}\n`);
 */
export function formatArchiveLine(message: ArchivedMessage): string {
  let data: unknown;
  try {
    const text = utf8.decode(message.data);
    try {
      data = JSON.parse(text);
    } catch {
      // Not JSON: kept verbatim so a replay republishes the same bytes.
      data = { $raw: text };
    }
  } catch {
    // Not UTF-8: base64 keeps the bytes exact.
    data = { $base64: Buffer.from(message.data).toString('base64') };
  }
  const { seq, subject, time, headers } = message;
  return JSON.stringify({ seq, subject, time, ...(headers === undefined ? {} : { headers }), data });
}
