import { parseSince, parseVetoStreamArgs, redactUrls, UsageError } from './veto-stream-args';

const NOW = Date.parse('2026-01-15T12:00:00.000Z');
const url = ['--nats-url', 'nats://127.0.0.1:4222'];

describe('parseVetoStreamArgs', () => {
  it('reads a record command with defaults', () => {
    expect(parseVetoStreamArgs(['record', ...url, '--out', 'a.jsonl'], NOW)).toEqual({
      command: 'record',
      natsUrl: 'nats://127.0.0.1:4222',
      auth: { kind: 'none' },
      stream: 'AUTH',
      out: 'a.jsonl',
      follow: false,
    });
  });

  it('reads a replay command with defaults', () => {
    expect(parseVetoStreamArgs(['replay', ...url, '--in', 'a.jsonl'], NOW)).toEqual({
      command: 'replay',
      natsUrl: 'nats://127.0.0.1:4222',
      auth: { kind: 'none' },
      stream: 'AUTH',
      in: 'a.jsonl',
      subjectPrefix: 'auth',
      sourceSubjectPrefix: 'auth',
      createStream: false,
      maxInFlight: 256,
    });
  });

  it('reads a dead-letters command with defaults: the VETO_DLQ stream, the newest 20', () => {
    expect(parseVetoStreamArgs(['dead-letters', ...url], NOW)).toEqual({
      command: 'dead-letters',
      natsUrl: 'nats://127.0.0.1:4222',
      auth: { kind: 'none' },
      stream: 'VETO_DLQ',
      limit: 20,
      json: false,
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
    [['dead-letters', ...url, '--limit', 'ten'], '--limit must be a positive integer'],
    [['dead-letters', ...url, '--out', 'a'], 'dead-letters does not take --out'],
    [['record', ...url, '--out', 'a', '--json'], 'record does not take --json'],
    [['purge', ...url], 'unknown command "purge"'],
    [[], 'a command is required'],
    [['record', '--verbose'], "Unknown option '--verbose'"],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseVetoStreamArgs(argv, NOW)).toThrow(UsageError);
    expect(() => parseVetoStreamArgs(argv, NOW)).toThrow(message);
  });
});

describe('parseVetoStreamArgs credentials', () => {
  const record = ['record', '--out', 'a.jsonl'];
  const codeOf = (run: () => unknown): string | undefined => {
    try {
      run();
    } catch (error) {
      return (error as UsageError).code;
    }
    return undefined;
  };

  it('takes the server from NATS_URL and user and password from NATS_USER and NATS_PASSWORD, as the services do', () => {
    const env = { NATS_URL: 'nats://nats:4222', NATS_USER: 'tickets', NATS_PASSWORD: 'tSecret1' };

    expect(parseVetoStreamArgs(record, NOW, env)).toMatchObject({ natsUrl: 'nats://nats:4222', auth: { kind: 'user-password', user: 'tickets', password: 'tSecret1' } });
  });

  it('prefers --nats-url to NATS_URL', () => {
    expect(parseVetoStreamArgs([...record, ...url], NOW, { NATS_URL: 'nats://elsewhere:4222' })).toMatchObject({ natsUrl: 'nats://127.0.0.1:4222' });
  });

  it.each([
    [['--creds', 'ops.creds'], {}, { kind: 'creds', file: 'ops.creds' }],
    [['--nkey', 'ops.nk'], {}, { kind: 'nkey', file: 'ops.nk' }],
    [['--token-file', 'token.txt'], {}, { kind: 'token-file', file: 'token.txt' }],
    [[], { NATS_TOKEN: 's3cret' }, { kind: 'token', token: 's3cret' }],
    [[], { NATS_USER: '', NATS_PASSWORD: '' }, { kind: 'none' }],
  ])('reads %j with %j as %j', (flags, env, auth) => {
    expect(parseVetoStreamArgs([...record, ...url, ...flags], NOW, env)).toMatchObject({ auth });
    expect(parseVetoStreamArgs(['replay', ...url, '--in', 'a', ...flags], NOW, env)).toMatchObject({ auth });
  });

  it.each([
    [['--nats-url', 'nats://tickets:tSecret1@nats:4222'], {}, 'CREDENTIALS_IN_URL'],
    [['--nats-url', 'nats://a:4222,nats://s3cret@b:4222'], {}, 'CREDENTIALS_IN_URL'],
    [['--nats-url', 'tickets:s3cret@b:4222'], {}, 'CREDENTIALS_IN_URL'],
    [[], { NATS_URL: 'tls://tickets:tSecret1@nats:4222' }, 'CREDENTIALS_IN_URL'],
    [[...url], { NATS_USER: 'tickets' }, 'CREDENTIALS_INCOMPLETE'],
    [[...url], { NATS_PASSWORD: 'tSecret1' }, 'CREDENTIALS_INCOMPLETE'],
    [[...url, '--creds', 'a.creds', '--nkey', 'a.nk'], {}, 'CREDENTIALS_CONFLICT'],
    [[...url, '--creds', 'a.creds'], { NATS_USER: 'tickets', NATS_PASSWORD: 'tSecret1' }, 'CREDENTIALS_CONFLICT'],
    [[...url, '--token-file', 't.txt'], { NATS_TOKEN: 's3cret' }, 'CREDENTIALS_CONFLICT'],
    [[...url], { NATS_TOKEN: 's3cret', NATS_USER: 'tickets', NATS_PASSWORD: 'tSecret1' }, 'CREDENTIALS_CONFLICT'],
    [[...url, '--creds', ''], {}, 'INVALID_ARGUMENTS'],
  ])('refuses %j with %j: %s', (flags, env, code) => {
    expect(codeOf(() => parseVetoStreamArgs([...record, ...flags], NOW, env))).toBe(code);
  });

  it('names the credentials in a URL it refuses without repeating them', () => {
    expect(() => parseVetoStreamArgs([...record, '--nats-url', 'nats://tickets:tSecret1@nats:4222'], NOW)).toThrow(
      '--nats-url must not carry credentials (got nats://***@nats:4222): set NATS_USER and NATS_PASSWORD',
    );
  });
});

describe('redactUrls', () => {
  it.each([
    ['cannot connect to nats://u:p@h:4222 now', 'cannot connect to nats://***@h:4222 now'],
    ['nats://tok@h:4222 and tls://u:p@i:4222', 'nats://***@h:4222 and tls://***@i:4222'],
    ['nats://u:pa,ss@h:4222', 'nats://***@h:4222'],
    ['nats://a:4222,nats://u:p@ss@b:4222', 'nats://***@b:4222'],
    ['nats://h:4222', 'nats://h:4222'],
  ])('redacts %s', (text, redacted) => {
    expect(redactUrls(text)).toBe(redacted);
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
