import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** How a spawned `main.ts` ended. */
export interface MainResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `main.ts` running as its own Node process. */
export interface RunningMain {
  readonly child: ChildProcess;
  /** Resolves with the first JSON log line whose `msg` equals `message`. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
  /** Resolves once the process exits. */
  readonly exited: Promise<MainResult>;
}

/**
 * Starts `src/main.ts` in a child Node process (through tsx) with exactly the given environment
 * plus PATH, so tests exercise the real start-up, configuration errors and shutdown.
 *
 * @param env - the service's environment variables
 * @example
 * const run = startMain({ PORT: '0', NATS_URL: server.url, JWT_PUBLIC_KEYS_FILE: file });
 * const { port } = await run.waitForLog('tickets service listening');
 */
export function startMain(env: Record<string, string>): RunningMain {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'main.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { message: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let pending = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      for (const waiter of waiters.filter((candidate) => candidate.message === parsed.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(parsed);
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
    waitForLog: (message) =>
      Promise.race([
        new Promise<Record<string, unknown>>((resolve) => waiters.push({ message, resolve })),
        exited.then((result) => {
          throw new Error(`main.ts exited with ${result.code} before logging "${message}"\n${result.stdout}\n${result.stderr}`);
        }),
      ]),
  };
}
