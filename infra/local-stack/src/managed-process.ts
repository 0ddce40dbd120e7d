import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** How a child ended. */
export interface ChildExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A child process of the stack, its output handed over line by line. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the child has exited, for whatever reason. */
  readonly exited: Promise<ChildExit>;
  readonly running: boolean;
  /** The last lines it wrote, for a report when it dies. */
  recentLines(): string[];
  /** The stop signal, then SIGKILL after `graceMs`; resolves with how it ended. */
  stop(graceMs: number): Promise<ChildExit>;
  /** SIGKILL at once, synchronously (for a process exit hook). */
  kill(): void;
}

/** How to start one child. */
export interface ManagedProcessOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  /** The child's whole environment: nothing of the launcher's leaks in unless passed here. */
  readonly env: Record<string, string>;
  /** The signal that asks it to stop cleanly; SIGTERM by default (nats-server exits 0 on SIGINT, 1 on SIGTERM). */
  readonly stopSignal?: NodeJS.Signals;
  /** Receives each line the child writes to stdout or stderr. */
  readonly onLine: (name: string, line: string) => void;
}

const RECENT_LINES = 40;

/**
 * Starts a child in its own process group, so a Ctrl-C in the terminal reaches only the
 * launcher, which then stops the children in order (gateway, services, then NATS).
 *
 * @param options - name, command, args, cwd, env, onLine
 * @throws Error naming the child when the command cannot be started (missing, not executable)
 * @example
 * const nats = await startManagedProcess({ name: 'nats', command: '/usr/sbin/nats-server', args, cwd, env, onLine: print });
 */
export async function startManagedProcess(options: ManagedProcessOptions): Promise<ManagedProcess> {
  const child = spawn(options.command, [...options.args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ name: options.name, code, signal })));
  try {
    await once(child, 'spawn');
  } catch (error) {
    throw new Error(`${options.name}: could not start ${options.command}: ${(error as Error).message}`, { cause: error });
  }
  const recent: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      recent.push(line);
      if (recent.length > RECENT_LINES) recent.shift();
      options.onLine(options.name, line);
    });
  }
  let running = true;
  void exited.then(() => {
    running = false;
  });
  return {
    name: options.name,
    pid: child.pid as number,
    exited,
    get running() {
      return running;
    },
    recentLines: () => [...recent],
    async stop(graceMs) {
      if (running) child.kill(options.stopSignal ?? 'SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (running) child.kill('SIGKILL');
    },
  };
}
