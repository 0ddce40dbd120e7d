import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The guarantee: a test that times out leaves no child of startScript behind, so jest ends instead
// of waiting on the child's pipes until CI's limit. Checked with a real jest run of a fixture file.
it('ends the children of a test that timed out, so the jest run exits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'veto-start-script-'));
  const pidFile = join(dir, 'pid');
  const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), '--config', join(REPOSITORY_ROOT, 'jest.config.js'), '--testMatch', '**/times-out.fixture.ts', '--ci'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, VETO_PID_FILE: pidFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  jest.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  jest.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  // Not a speed check: a jest run that hangs is the failure, reported rather than waited on.
  const hung = setTimeout(() => jest.kill('SIGKILL'), 90_000);
  try {
    const [code, signal] = (await once(jest, 'exit')) as [number | null, NodeJS.Signals | null];
    const pid = Number(await readFile(pidFile, 'utf8'));

    expect({ code, signal, timedOut: /Exceeded timeout of 2000 ms/.test(output) }).toEqual({ code: 1, signal: null, timedOut: true });
    expect(isAlive(pid)).toBe(false);
  } finally {
    clearTimeout(hung);
    await rm(dir, { recursive: true, force: true });
  }
});
