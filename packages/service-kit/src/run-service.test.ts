import { runService } from './run-service';
import { ConfigError, ServiceError } from './service-error';

function captureStderr(): { text: () => string; restore: () => void } {
  let text = '';
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  });
  return { text: () => text, restore: () => spy.mockRestore() };
}

describe('runService', () => {
  it('names the variable of a configuration error and exits 1', async () => {
    const stderr = captureStderr();
    const exits: number[] = [];
    await runService(
      'tickets',
      () => Promise.reject(new ConfigError('PORT', 'PORT is invalid: expected an integer')),
      (code) => exits.push(code),
    );
    stderr.restore();
    expect(stderr.text()).toBe('tickets: configuration error (PORT): PORT is invalid: expected an integer\n');
    expect(exits).toEqual([1]);
  });

  it('treats any coded error with a variable as a configuration error', async () => {
    class KeyMissing extends ServiceError {
      readonly variable = 'JWT_PRIVATE_KEY';
    }
    const stderr = captureStderr();
    await runService(
      'auth',
      () => Promise.reject(new KeyMissing('SIGNING_KEY_MISSING', 'no key')),
      () => undefined,
    );
    stderr.restore();
    expect(stderr.text()).toBe('auth: configuration error (JWT_PRIVATE_KEY): no key\n');
  });

  it('prints one line with the code of a coded failure, without a stack', async () => {
    const stderr = captureStderr();
    const exits: number[] = [];
    const error = Object.assign(new Error('cannot connect to NATS at nats://127.0.0.1:4222: gave up after 1000 ms'), { code: 'CONNECT_FAILED' });
    await runService(
      'tickets',
      () => Promise.reject(error),
      (code) => exits.push(code),
    );
    stderr.restore();
    expect(stderr.text()).toBe('tickets: failed to start (CONNECT_FAILED): cannot connect to NATS at nats://127.0.0.1:4222: gave up after 1000 ms\n');
    expect(exits).toEqual([1]);
  });

  it('prints the stack of any other failure', async () => {
    const stderr = captureStderr();
    const exits: number[] = [];
    await runService(
      'auth',
      () => Promise.reject(new Error('database unreachable')),
      (code) => exits.push(code),
    );
    stderr.restore();
    expect(stderr.text()).toMatch(/^auth: failed to start: Error: database unreachable\n\s+at /);
    expect(exits).toEqual([1]);
  });

  it('does nothing once the service is up', async () => {
    const exits: number[] = [];
    await runService(
      'auth',
      () => Promise.resolve(),
      (code) => exits.push(code),
    );
    expect(exits).toEqual([]);
  });
});
