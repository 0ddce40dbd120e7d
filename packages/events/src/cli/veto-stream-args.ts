import { parseArgs } from 'node:util';
import { assertSubjectPrefix, DEAD_LETTER_STREAM, DEFAULT_STREAM, DEFAULT_SUBJECT_PREFIX } from '../subjects';

/**
 * How veto-stream authenticates to NATS: at most one kind. Secrets come from the environment or
 * from files, never from the command line, which shell history, `ps` and pnpm's echo show.
 */
export type NatsAuth =
  | { kind: 'none' }
  | { kind: 'user-password'; user: string; password: string }
  | { kind: 'token'; token: string }
  | { kind: 'token-file'; file: string }
  | { kind: 'creds'; file: string }
  | { kind: 'nkey'; file: string };

/** `veto-stream record`: copy a stream into a JSONL file. */
export interface RecordCommand {
  command: 'record';
  natsUrl: string;
  auth: NatsAuth;
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
  auth: NatsAuth;
  stream: string;
  /** A path, or `-` for stdin. */
  in: string;
  subjectPrefix: string;
  sourceSubjectPrefix: string;
  createStream: boolean;
  maxInFlight: number;
}

/** `veto-stream dead-letters`: show the dead-letter stream's state and its newest dead letters. */
export interface DeadLettersCommand {
  command: 'dead-letters';
  natsUrl: string;
  auth: NatsAuth;
  stream: string;
  limit: number;
  json: boolean;
}

/** What the command line asks for. */
export type VetoStreamCommand = RecordCommand | ReplayCommand | DeadLettersCommand | { command: 'help' };

/** The usage text printed by `--help` and after a usage error. */
export const USAGE = `Usage:
  veto-stream record [--nats-url <url>] --out <file|-> [--stream AUTH] [--since <90s|15m|2h|7d|ISO time> | --from-seq <n>] [--follow]
  veto-stream replay [--nats-url <url>] --in <file|-> [--stream AUTH] [--subject-prefix auth] [--source-prefix auth]
                     [--create-stream] [--max-in-flight 256]
  veto-stream dead-letters [--nats-url <url>] [--stream VETO_DLQ] [--limit 20] [--json]
  All: [--creds <file> | --nkey <file> | --token-file <file>]

record  writes one JSON line per stored message: { seq, subject, time, headers?, data }.
        Stops at the last message stored when it started; --follow keeps going until Ctrl-C.
replay  publishes each line in order: valid events keep their id (Nats-Msg-Id), anything
        else is published as its bytes. The stream must exist unless --create-stream is given.
dead-letters  prints the dead-letter stream's state (count, bytes, first and last seq and time)
        and its newest dead letters: seq, time, subject, why (reason, error code, deliveries),
        where from (service, stream, seq) and the event id and type. --json prints one JSON
        document instead. Reads by sequence, creating no consumer; needs the auth user.

Server and credentials (at most one kind of credentials):
  --nats-url <url>          the server; NATS_URL when not given. A URL with user:password@ is refused.
  NATS_USER, NATS_PASSWORD  user and password, the variables the services use (infra/nats/veto.conf users)
  NATS_TOKEN, --token-file  a token, from the environment or the first line of a file
  --creds <file>            a JWT credentials file (nsc, NGS/Synadia)
  --nkey <file>             a file holding an nkey seed (SU...)
  Secrets never go on the command line: shell history, ps and pnpm's command echo would show them.
  Example: NATS_USER=tickets NATS_PASSWORD=... veto-stream record --nats-url nats://nats:4222 --out a.jsonl
           NATS_USER=auth NATS_PASSWORD=... veto-stream dead-letters --nats-url nats://nats:4222

Exit codes: 0 done, 1 failed (connection, credentials, permissions, missing stream, publish, unreadable line), 2 usage error.`;

/** Why a command line cannot be run. */
export type UsageErrorCode = 'INVALID_ARGUMENTS' | 'CREDENTIALS_IN_URL' | 'CREDENTIALS_CONFLICT' | 'CREDENTIALS_INCOMPLETE';

/** A command line that cannot be run; the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  readonly code: UsageErrorCode;

  constructor(message: string, code: UsageErrorCode = 'INVALID_ARGUMENTS') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The environment variables veto-stream reads (the services' names for the same settings). */
export type VetoStreamEnv = Readonly<Partial<Record<'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD' | 'NATS_TOKEN', string>>>;

/**
 * Replaces the user-info part of every URL in a text (`nats://user:secret@host` → `nats://***@host`).
 * Up to the last `@` of a word, so a password holding `,` or `@` is hidden whole (the hosts before it with it).
 *
 * @param text - a message that may contain server URLs
 * @example
 * redactUrls('cannot connect to nats://a:b@h:4222'); // 'cannot connect to nats://***@h:4222'
 */
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)\S*@/gi, '$1***@');
}

function serverUrl(flag: string | undefined, env: VetoStreamEnv): string {
  const url = flag ?? (env.NATS_URL || undefined);
  if (url === undefined || url === '') throw new UsageError('--nats-url is required (or set NATS_URL)');
  const source = flag === undefined ? 'NATS_URL' : '--nats-url';
  // A server URL has no other use for `@` than user-info (a user, user:password or a token).
  if (url.includes('@')) {
    throw new UsageError(
      `${source} must not carry credentials (got ${redactUrls(url)}): set NATS_USER and NATS_PASSWORD (or NATS_TOKEN, --token-file, --creds, --nkey) instead`,
      'CREDENTIALS_IN_URL',
    );
  }
  return url;
}

function credentials(values: { creds?: string; nkey?: string; 'token-file'?: string }, env: VetoStreamEnv): NatsAuth {
  const user = env.NATS_USER || undefined;
  const password = env.NATS_PASSWORD || undefined;
  if ((user === undefined) !== (password === undefined)) {
    throw new UsageError(user === undefined ? 'NATS_PASSWORD is set without NATS_USER' : 'NATS_USER is set without NATS_PASSWORD', 'CREDENTIALS_INCOMPLETE');
  }
  const given: NatsAuth[] = [
    ...(user !== undefined && password !== undefined ? [{ kind: 'user-password', user, password } as const] : []),
    ...(env.NATS_TOKEN ? [{ kind: 'token', token: env.NATS_TOKEN } as const] : []),
    ...(values['token-file'] === undefined ? [] : [{ kind: 'token-file', file: required(values['token-file'], '--token-file') } as const]),
    ...(values.creds === undefined ? [] : [{ kind: 'creds', file: required(values.creds, '--creds') } as const]),
    ...(values.nkey === undefined ? [] : [{ kind: 'nkey', file: required(values.nkey, '--nkey') } as const]),
  ];
  if (given.length > 1) {
    const names = { 'user-password': 'NATS_USER/NATS_PASSWORD', token: 'NATS_TOKEN', 'token-file': '--token-file', creds: '--creds', nkey: '--nkey', none: '' };
    throw new UsageError(`give one kind of credentials, got ${given.map((auth) => names[auth.kind]).join(' and ')}`, 'CREDENTIALS_CONFLICT');
  }
  return given[0] ?? { kind: 'none' };
}

const CONNECTION_OPTIONS = ['nats-url', 'creds', 'nkey', 'token-file'];
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
 * Parses the arguments of `veto-stream` (without `node` and the script path) and the
 * environment variables it reads.
 *
 * @param argv - for example `process.argv.slice(2)`
 * @param now - the current time in ms, for `--since`
 * @param env - `NATS_URL`, `NATS_USER`, `NATS_PASSWORD`, `NATS_TOKEN`; empty values count as unset
 * @throws UsageError `INVALID_ARGUMENTS` for an unknown command or option, a missing or invalid value;
 *   `CREDENTIALS_IN_URL` for a server URL with user-info; `CREDENTIALS_CONFLICT` for two kinds of
 *   credentials; `CREDENTIALS_INCOMPLETE` for a user without password or the reverse
 * @example
 * parseVetoStreamArgs(['dead-letters', '--limit', '50'], Date.now(), process.env);
 * parseVetoStreamArgs(['record', '--out', 'incident.jsonl', '--since', '2h'], Date.now(), process.env);
 */
export function parseVetoStreamArgs(argv: readonly string[], now: number, env: VetoStreamEnv = {}): VetoStreamCommand {
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
        limit: { type: 'string' },
        json: { type: 'boolean' },
        creds: { type: 'string' },
        nkey: { type: 'string' },
        'token-file': { type: 'string' },
      },
    });
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
  const stream = values.stream ?? (command === 'dead-letters' ? DEAD_LETTER_STREAM : DEFAULT_STREAM);
  if (!STREAM_NAME.test(stream)) throw new UsageError(`--stream must match ${STREAM_NAME}, got ${JSON.stringify(stream)}`);
  const only = (allowed: readonly string[]) => {
    const misplaced = Object.keys(values).filter((name) => !allowed.includes(name));
    if (misplaced.length > 0) throw new UsageError(`${command} does not take --${misplaced.join(', --')}`);
  };

  if (command === 'record') {
    only([...CONNECTION_OPTIONS, 'stream', 'out', 'since', 'from-seq', 'follow']);
    if (values.since !== undefined && values['from-seq'] !== undefined) throw new UsageError('give at most one of --since and --from-seq');
    const fromSeq = positiveInteger(values['from-seq'], '--from-seq');
    return {
      command,
      natsUrl: serverUrl(values['nats-url'], env),
      auth: credentials(values, env),
      stream,
      out: required(values.out, '--out'),
      follow: values.follow ?? false,
      ...(values.since === undefined ? {} : { fromTime: parseSince(values.since, now) }),
      ...(fromSeq === undefined ? {} : { fromSeq }),
    };
  }
  if (command === 'replay') {
    only([...CONNECTION_OPTIONS, 'stream', 'in', 'subject-prefix', 'source-prefix', 'create-stream', 'max-in-flight']);
    return {
      command,
      natsUrl: serverUrl(values['nats-url'], env),
      auth: credentials(values, env),
      stream,
      in: required(values.in, '--in'),
      subjectPrefix: prefix(values['subject-prefix'], '--subject-prefix'),
      sourceSubjectPrefix: prefix(values['source-prefix'], '--source-prefix'),
      createStream: values['create-stream'] ?? false,
      maxInFlight: positiveInteger(values['max-in-flight'], '--max-in-flight') ?? 256,
    };
  }
  if (command === 'dead-letters') {
    only([...CONNECTION_OPTIONS, 'stream', 'limit', 'json']);
    return {
      command,
      natsUrl: serverUrl(values['nats-url'], env),
      auth: credentials(values, env),
      stream,
      limit: positiveInteger(values.limit, '--limit') ?? 20,
      json: values.json ?? false,
    };
  }
  throw new UsageError(command === undefined ? 'a command is required: record, replay or dead-letters' : `unknown command ${JSON.stringify(command)}`);
}
