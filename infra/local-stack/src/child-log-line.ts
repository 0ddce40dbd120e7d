const PINO_LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const NATS_LEVELS: Record<string, string> = { TRC: 'TRACE', DBG: 'DEBUG', INF: 'INFO', WRN: 'WARN', ERR: 'ERROR', FTL: 'FATAL' };
// nats-server: "[1234] 2026/11/25 07:53:33.899458 [INF] Server is ready"
const NATS_LINE = /^\[\d+\] \d{4}\/\d\d\/\d\d (\d\d:\d\d:\d\d)\.\d+ \[([A-Z]{3})\] (.*)$/;

/** One child's log line made short: time, level, message; `undefined` for a line not worth showing. */
export interface ShortLine {
  readonly time?: string;
  readonly level?: string;
  readonly message: string;
}

function clock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

const PROBES = new Set(['/healthz', '/readyz']);

function fromPino(record: Record<string, unknown>): ShortLine | undefined {
  if (typeof record.method === 'string' && typeof record.path === 'string' && typeof record.status === 'number') {
    // The launcher polls the probes while it starts the stack; those lines say nothing.
    if (PROBES.has(record.path)) return undefined;
    record = { ...record, msg: `${record.method} ${record.path} ${record.status}${typeof record.durationMs === 'number' ? ` ${record.durationMs} ms` : ''}` };
  }
  const level = typeof record.level === 'number' ? (PINO_LEVELS[record.level] ?? String(record.level)) : undefined;
  const err = record.err as { message?: unknown } | undefined;
  const details = [typeof record.code === 'string' ? record.code : undefined, typeof err?.message === 'string' ? err.message : undefined].filter(Boolean);
  return {
    time: typeof record.time === 'number' ? clock(record.time) : undefined,
    level,
    message: `${typeof record.msg === 'string' ? record.msg : ''}${details.length ? ` (${details.join(': ')})` : ''}`,
  };
}

/**
 * Shortens one line of a child's output: pino JSON and nats-server lines become
 * `time level message`, a request line `GET /api/tickets 200 3.1 ms`; anything else is kept as it
 * is. Probe requests (`/healthz`, `/readyz`) and nats-server's info lines (its start-up banner) are
 * dropped, its warnings and errors kept.
 *
 * @param line - one line, without its newline
 * @returns the short form, or `undefined` to leave the line out
 * @example
 * shortenLine('{"level":30,"time":0,"msg":"listening"}'); // { time: '00:00:00', level: 'INFO', message: 'listening' }
 */
export function shortenLine(line: string): ShortLine | undefined {
  if (line.startsWith('{')) {
    try {
      const record: unknown = JSON.parse(line);
      if (record && typeof record === 'object' && 'msg' in record) return fromPino(record as Record<string, unknown>);
    } catch {
      // Not JSON after all (a stack trace line, say): shown as it is below.
    }
  }
  const nats = NATS_LINE.exec(line);
  if (nats) {
    const level = NATS_LEVELS[nats[2] as string] ?? (nats[2] as string);
    return level === 'INFO' || level === 'DEBUG' || level === 'TRACE' ? undefined : { time: nats[1], level, message: nats[3] as string };
  }
  return line.trim() === '' ? undefined : { message: line };
}

/**
 * Formats a child's line for the launcher's terminal: the child's name in a fixed-width column, then the short line.
 *
 * @param name - the child's name, `auth`
 * @param line - the short line
 * @param width - the name column's width
 * @example
 * formatLine('auth', { time: '07:53:33', level: 'INFO', message: 'listening' }, 7); // 'auth    │ 07:53:33 INFO  listening'
 */
export function formatLine(name: string, line: ShortLine, width: number): string {
  const head = [line.time, line.level?.padEnd(5)].filter(Boolean).join(' ');
  return `${name.padEnd(width)} │ ${head ? `${head} ` : ''}${line.message}`;
}
