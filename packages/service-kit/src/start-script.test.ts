import { join } from 'node:path';
import { startScript } from './start-script';

const script = join(__dirname, 'test-support', 'echo-script.ts');

describe('startScript', () => {
  it('passes the environment and waits for a log line by message', async () => {
    const run = startScript({ script, env: { PORT: '4321' }, args: ['3'] });
    expect(await run.waitForLog('listening')).toMatchObject({ port: 4321 });
    run.child.kill('SIGTERM');
    const result = await run.exited;
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('plain text first');
  });

  it('rejects a waiter when the process exits before printing it', async () => {
    const run = startScript({ script: join(__dirname, 'test-support', 'missing-script.ts'), env: {} });
    await expect(run.waitForLog('listening')).rejects.toThrow(/exited with 1 before logging "listening"/);
  });
});
