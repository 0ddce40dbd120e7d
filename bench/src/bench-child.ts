import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/** A bench helper process started from this folder's sources. */
export interface BenchChild<M> {
  /** The first IPC message the child sent: what it reports once it is up. */
  readonly ready: M;
  readonly process: ChildProcess;
  /** Everything it wrote to stderr so far, for failure messages. */
  stderr(): string;
  /** SIGTERM, then waits for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Forks `bench/src/<script>` through tsx (cwd: the repository, so the workspace's TypeScript paths
 * resolve) and waits for its first IPC message.
 *
 * @param script - e.g. `overhead-server.ts`
 * @param env - added to this process's environment
 * @param extraArgs - extra arguments for node itself, e.g. `--cpu-prof`
 * @throws Error when the child exits before sending a message, or after `timeoutMs`
 * @example
 * const server = await startBenchChild<{ ports: Record<string, number> }>('overhead-server.ts', { NATS_URL: nats.url });
 */
export async function startBenchChild<M>(script: string, env: Record<string, string>, options: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<BenchChild<M>> {
  const child = fork(join(__dirname, script), [], {
    cwd: join(__dirname, '..', '..'),
    execArgv: [...(options.nodeArgs ?? []), '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = once(child, 'exit');
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  const ready = await Promise.race([
    once(child, 'message').then(([message]) => message as M),
    exited.then(([code]) => {
      throw new Error(`${script} exited with ${String(code)} before it was ready:\n${stderr}`);
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${script} was not ready within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return {
    ready,
    process: child,
    stderr: () => stderr,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(kill);
    },
  };
}
