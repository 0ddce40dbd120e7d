import { formatLine, shortenLine } from './child-log-line';

describe('shortenLine', () => {
  it('shortens a pino line to time, level and message, with the error code and message', () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 10, 25, 7, 53, 33), pid: 1, msg: 'upstream failed', code: 'DEAD_LETTER_FAILED', err: { message: 'timeout' } });

    expect(shortenLine(line)).toEqual({ time: '07:53:33', level: 'ERROR', message: 'upstream failed (DEAD_LETTER_FAILED: timeout)' });
  });

  it('shows a request line as method, path, status and duration, and drops probe requests', () => {
    const request = { level: 30, time: 0, msg: 'request', method: 'GET', status: 200, durationMs: 3.1 };

    expect(shortenLine(JSON.stringify({ ...request, path: '/api/tickets' }))).toEqual({ time: '00:00:00', level: 'INFO', message: 'GET /api/tickets 200 3.1 ms' });
    expect(shortenLine(JSON.stringify({ ...request, path: '/readyz' }))).toBeUndefined();
  });

  it('keeps nats-server warnings and errors and drops its info lines', () => {
    expect(shortenLine('[42] 2026/11/25 07:53:33.899498 [WRN] Plaintext passwords detected, use nkeys or bcrypt')).toEqual({
      time: '07:53:33',
      level: 'WARN',
      message: 'Plaintext passwords detected, use nkeys or bcrypt',
    });
    expect(shortenLine('[42] 2026/11/25 07:53:33.900922 [INF] Server is ready')).toBeUndefined();
  });

  it('keeps any other line as it is and drops blank ones', () => {
    expect(shortenLine('    at main (/app/main.js:1:1)')).toEqual({ message: '    at main (/app/main.js:1:1)' });
    expect(shortenLine('{not json')).toEqual({ message: '{not json' });
    expect(shortenLine('   ')).toBeUndefined();
  });
});

describe('formatLine', () => {
  it('puts the name in a fixed-width column before the short line', () => {
    expect(formatLine('auth', { time: '07:53:33', level: 'INFO', message: 'listening' }, 7)).toBe('auth    │ 07:53:33 INFO  listening');
    expect(formatLine('tickets', { message: 'plain' }, 7)).toBe('tickets │ plain');
  });
});
