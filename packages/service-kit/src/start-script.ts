import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/** How a spawned script ended, with everything it printed. */
export interface ScriptResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A TypeScript entry point (a service's `main.ts`, a CLI) running as its own Node process. */
export interface RunningScript {
  readonly child: ChildProcess;
  /** Resolves with the first stdout line for which `predicate` holds; rejects if the process exits first. */
  waitForLine(predicate: (line: string) => boolean): Promise<string>;
  /** Resolves with the first JSON (pino) log line whose `msg` equals `message`; rejects if the process exits first. */
  waitForLog(message: string): Promise<Record<string, unknown>>;
  /** Resolves once the process exits. */
  readonly exited: Promise<ScriptResult>;
}

/** What to run and how. */
export interface ScriptOptions {
  /** Absolute path of the TypeScript file to run through tsx. */
  readonly script: string;
  /** The process's environment variables; PATH is added. */
  readonly env: Record<string, string>;
  readonly args?: readonly string[];
  /** `--import tsx` resolves from here: a directory whose package has tsx installed. */
  readonly cwd?: string;
}

// Every child started by this module that has not exited yet.
const running = new Set<ChildProcess>();
// A test that times out never reaches its own kill, and jest then waits for the child's pipes until
// CI's limit. Jest evaluates this module once per test file, so the hook ends what that file left.
const afterAllHook = (globalThis as { afterAll?: (fn: () => void) => void }).afterAll;
afterAllHook?.(() => {
  for (const child of running) child.kill('SIGKILL');
});

function parseLog(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) {
    return undefined;
  }
  return JSON.parse(line) as Record<string, unknown>;
}

/**
 * Starts a TypeScript entry point in a child Node process with exactly the given environment
 * plus PATH, so tests exercise the real start-up, configuration errors and shutdown paths.
 *
 * @param options - script, environment, arguments and working directory
 * @returns the running process with line and log waiters
 * @example
 * const run = startScript({ script: join(__dirname, '..', 'main.ts'), env: { PORT: '0', NATS_URL: server.url } });
 * const { port } = await run.waitForLog('tickets service listening');
 * run.child.kill('SIGTERM');
 * expect((await run.exited).code).toBe(0);
 */
export function startScript(options: ScriptOptions): RunningScript {
  const child = spawn(process.execPath, ['--import', 'tsx', options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  let pending = '';
  const waiters: { predicate: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      for (const waiter of waiters.filter((candidate) => candidate.predicate(line))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  const waitForLine = (predicate: (line: string) => boolean, what: string): Promise<string> =>
    Promise.race([
      new Promise<string>((resolve) => waiters.push({ predicate, resolve })),
      exited.then((result) => {
        throw new Error(`${options.script} exited with ${result.code} before ${what}\n${result.stdout}\n${result.stderr}`);
      }),
    ]);
  return {
    child,
    exited,
    waitForLine: (predicate) => waitForLine(predicate, 'printing the expected line'),
    waitForLog: async (message) => {
      const line = await waitForLine((candidate) => parseLog(candidate)?.msg === message, `logging "${message}"`);
      return parseLog(line) ?? {};
    },
  };
}
