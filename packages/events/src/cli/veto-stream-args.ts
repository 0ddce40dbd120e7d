import { parseArgs } from 'node:util';
import { assertSubjectPrefix, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from '../subjects';

/** `veto-stream record`: copy a stream into a JSONL file. */
export interface RecordCommand {
  command: 'record';
  natsUrl: string;
  stream: string;
  /** A path, or `-` for stdout. */
  out: string;
  fromTime?: Date;
  fromSeq?: number;
  follow: boolean;
}

/** `veto-stream replay`: publish a JSONL file into a stream. */
export interface ReplayCommand {
  command: 'replay';
  natsUrl: string;
  stream: string;
  /** A path, or `-` for stdin. */
  in: string;
  subjectPrefix: string;
  sourceSubjectPrefix: string;
  createStream: boolean;
  maxInFlight: number;
}

/** What the command line asks for. */
export type VetoStreamCommand = RecordCommand | ReplayCommand | { command: 'help' };

/** The usage text printed by `--help` and after a usage error. */
export const USAGE = `Usage:
  veto-stream record --nats-url <url> --out <file|-> [--stream AUTH] [--since <90s|15m|2h|7d|ISO time> | --from-seq <n>] [--follow]
  veto-stream replay --nats-url <url> --in <file|-> [--stream AUTH] [--subject-prefix auth] [--source-prefix auth]
                     [--create-stream] [--max-in-flight 256]

record  writes one JSON line per stored message: { seq, subject, time, headers?, data }.
        Stops at the last message stored when it started; --follow keeps going until Ctrl-C.
replay  publishes each line in order: valid events keep their id (Nats-Msg-Id), anything
        else is published as its bytes. The stream must exist unless --create-stream is given.

Exit codes: 0 done, 1 failed (connection, stream, publish, unreadable line), 2 usage error.`;

/** A command line that cannot be run; the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const STREAM_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Reads `--since`: a duration before `now` (`90s`, `15m`, `2h`, `7d`) or an ISO time.
 *
 * @param value - the option's value
 * @param now - the current time in ms
 * @throws UsageError when it is neither
 * @example
 * parseSince('2h', Date.now()); // two hours ago
 */
export function parseSince(value: string, now: number): Date {
  const duration = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (duration) return new Date(now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  const time = Date.parse(value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(time)) return new Date(time);
  throw new UsageError(`--since must be a duration like 90s, 15m, 2h, 7d or an ISO time, got ${JSON.stringify(value)}`);
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(value) || !Number.isSafeInteger(Number(value))) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}

function prefix(value: string | undefined, flag: string): string {
  const resolved = value ?? DEFAULT_SUBJECT_PREFIX;
  try {
    assertSubjectPrefix(resolved);
  } catch (cause) {
    throw new UsageError(`${flag}: ${(cause as Error).message}`);
  }
  return resolved;
}

/**
 * Parses the arguments of `veto-stream` (without `node` and the script path).
 *
 * @param argv - for example `process.argv.slice(2)`
 * @param now - the current time in ms, for `--since`
 * @throws UsageError for an unknown command or option, a missing or invalid value
 * @example
 * parseVetoStreamArgs(['record', '--nats-url', 'nats://127.0.0.1:4222', '--out', 'incident.jsonl', '--since', '2h'], Date.now());
 */
export function parseVetoStreamArgs(argv: readonly string[], now: number): VetoStreamCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        'nats-url': { type: 'string' },
        stream: { type: 'string' },
        out: { type: 'string' },
        in: { type: 'string' },
        since: { type: 'string' },
        'from-seq': { type: 'string' },
        follow: { type: 'boolean' },
        'subject-prefix': { type: 'string' },
        'source-prefix': { type: 'string' },
        'create-stream': { type: 'boolean' },
        'max-in-flight': { type: 'string' },
      },
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const stream = values.stream ?? DEFAULT_STREAM;
  if (!STREAM_NAME.test(stream)) throw new UsageError(`--stream must match ${STREAM_NAME}, got ${JSON.stringify(stream)}`);
  const only = (allowed: readonly string[]) => {
    const misplaced = Object.keys(values).filter((name) => !allowed.includes(name));
    if (misplaced.length > 0) throw new UsageError(`${command} does not take --${misplaced.join(', --')}`);
  };

  if (command === 'record') {
    only(['nats-url', 'stream', 'out', 'since', 'from-seq', 'follow']);
    if (values.since !== undefined && values['from-seq'] !== undefined) throw new UsageError('give at most one of --since and --from-seq');
    const fromSeq = positiveInteger(values['from-seq'], '--from-seq');
    return {
      command,
      natsUrl: required(values['nats-url'], '--nats-url'),
      stream,
      out: required(values.out, '--out'),
      follow: values.follow ?? false,
      ...(values.since === undefined ? {} : { fromTime: parseSince(values.since, now) }),
      ...(fromSeq === undefined ? {} : { fromSeq }),
    };
  }
  if (command === 'replay') {
    only(['nats-url', 'stream', 'in', 'subject-prefix', 'source-prefix', 'create-stream', 'max-in-flight']);
    return {
      command,
      natsUrl: required(values['nats-url'], '--nats-url'),
      stream,
      in: required(values.in, '--in'),
      subjectPrefix: prefix(values['subject-prefix'], '--subject-prefix'),
      sourceSubjectPrefix: prefix(values['source-prefix'], '--source-prefix'),
      createStream: values['create-stream'] ?? false,
      maxInFlight: positiveInteger(values['max-in-flight'], '--max-in-flight') ?? 256,
    };
  }
  throw new UsageError(command === undefined ? 'a command is required: record or replay' : `unknown command ${JSON.stringify(command)}`);
}
