import { parseSince, parseVetoStreamArgs, UsageError } from './veto-stream-args';

const NOW = Date.parse('2026-01-15T12:00:00.000Z');
const url = ['--nats-url', 'nats://127.0.0.1:4222'];

describe('parseVetoStreamArgs', () => {
  it('reads a record command with defaults', () => {
    expect(parseVetoStreamArgs(['record', ...url, '--out', 'a.jsonl'], NOW)).toEqual({ command: 'record', natsUrl: 'nats://127.0.0.1:4222', stream: 'AUTH', out: 'a.jsonl', follow: false });
  });

  it('reads a replay command with defaults', () => {
    expect(parseVetoStreamArgs(['replay', ...url, '--in', 'a.jsonl'], NOW)).toEqual({
      command: 'replay',
      natsUrl: 'nats://127.0.0.1:4222',
      stream: 'AUTH',
      in: 'a.jsonl',
      subjectPrefix: 'auth',
      sourceSubjectPrefix: 'auth',
      createStream: false,
      maxInFlight: 256,
    });
  });

  it.each([
    [['record', ...url], '--out is required'],
    [['replay', '--in', 'a.jsonl'], '--nats-url is required'],
    [['record', ...url, '--out', 'a', '--since', '2h', '--from-seq', '3'], 'at most one'],
    [['record', ...url, '--out', 'a', '--from-seq', '0'], '--from-seq must be a positive integer'],
    [['replay', ...url, '--in', 'a', '--follow'], 'replay does not take --follow'],
    [['replay', ...url, '--in', 'a', '--subject-prefix', 'auth.>'], '--subject-prefix'],
    [['record', ...url, '--out', 'a', '--stream', 'A.B'], '--stream must match'],
    [['purge', ...url], 'unknown command "purge"'],
    [[], 'a command is required'],
    [['record', '--verbose'], "Unknown option '--verbose'"],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseVetoStreamArgs(argv, NOW)).toThrow(UsageError);
    expect(() => parseVetoStreamArgs(argv, NOW)).toThrow(message);
  });
});

describe('parseSince', () => {
  it.each([
    ['90s', '2026-01-15T11:58:30.000Z'],
    ['15m', '2026-01-15T11:45:00.000Z'],
    ['2h', '2026-01-15T10:00:00.000Z'],
    ['7d', '2026-01-08T12:00:00.000Z'],
    ['2026-01-15T09:30:00Z', '2026-01-15T09:30:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(parseSince(value, NOW).toISOString()).toBe(expected);
  });

  it.each(['2 hours', '-5m', '1700000000'])('rejects %s', (value) => {
    expect(() => parseSince(value, NOW)).toThrow(UsageError);
  });
});
