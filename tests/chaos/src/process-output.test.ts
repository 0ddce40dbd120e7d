import { summarizeOutput } from './process-output';

describe('summarizeOutput', () => {
  it('keeps the message and error of log lines, counts repeats and keeps the last lines', () => {
    const line = JSON.stringify({ level: 40, msg: 'stream missing', err: { type: 'StreamNotFoundError', message: 'stream not found', stack: 'at …' } });
    const output = ['first', line, line, 'tickets: failed to start', ''].join('\n');
    expect(summarizeOutput(output)).toBe('first\nstream missing (StreamNotFoundError: stream not found) (×2)\ntickets: failed to start');
    expect(summarizeOutput(output, 1)).toBe('tickets: failed to start');
  });
});
