import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** Where a spawned script's output went and how it ended. */
export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A script running as its own Node process, started from its TypeScript source through tsx. */
export interface RunningScript {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line for which `predicate` holds. */
  waitForLine(predicate: (line: string) => boolean): Promise<string>;
  /** Resolves once the process exits. */
  readonly exited: Promise<ScriptResult>;
}

/**
 * Starts `services/auth/src/<script>` in a child Node process (via tsx), with exactly
 * the given environment plus PATH, so tests exercise the real start-up and exit paths.
 *
 * @param script - path under `src/`, e.g. `main.ts`
 * @param args - command-line arguments
 * @param env - the environment variables of the service
 * @example
 * const run = startScript('main.ts', [], { VETO_ENV: 'local', PORT: '0', DATA_DIR: dir });
 * await run.waitForLine((line) => line.includes('listening'));
 */
export function startScript(script: string, args: readonly string[], env: Record<string, string>): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', script), ...args], {
    // `--import tsx` resolves from the working directory: the package's own, where tsx is a dev dependency.
    cwd: join(__dirname, '..', '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const lineWaiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      for (const waiter of [...lineWaiters]) {
        if (waiter.predicate(line)) {
          lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return {
    child,
    exited,
    waitForLine: (predicate) =>
      Promise.race([
        new Promise<string>((resolve) => lineWaiters.push({ predicate, resolve })),
        exited.then((result) => {
          throw new Error(`${script} exited with ${result.code} before the expected line\n${result.stdout}\n${result.stderr}`);
        }),
      ]),
  };
}

/**
 * Runs a script to completion.
 *
 * @param script - path under `src/`
 * @param args - command-line arguments
 * @param env - environment variables
 * @returns exit code and output
 * @example
 * const { code, stderr } = await runScript('main.ts', [], {});
 */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): Promise<ScriptResult> {
  return startScript(script, args, env).exited;
}
