import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

const REPOSITORY = join(__dirname, '..', '..', '..');

/** A Veto service running as its own Node process, started from its sources. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  /** The process id (for CPU accounting), undefined if the spawn failed. */
  readonly pid: number | undefined;
  /** Everything the process wrote so far, for failure messages. */
  output(): string;
  /** Resolves once `GET /readyz` answers 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** SIGTERM, then waits for the exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL, as a crash would (no shutdown step runs), then waits for the exit. */
  kill(): Promise<number | null>;
}

/** How to start one service process. */
export interface ServiceProcessOptions {
  /** Label in messages, e.g. `tickets-1`. */
  readonly name: string;
  /** The workspace folder under `services/`, e.g. `auth`. */
  readonly service: string;
  readonly port: number;
  /** The service's environment (PATH is added). */
  readonly env: Record<string, string>;
  /** Extra arguments for node itself, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  readonly nodeArgs?: readonly string[];
  /** Run the built `dist/main.js` (what `npm start` runs; build it first) instead of the sources through tsx. */
  readonly fromBuild?: boolean;
  /** Run this compiled script from its own directory instead of a workspace service, e.g. a consumer project outside the repository. */
  readonly script?: { readonly cwd: string; readonly file: string };
}

/**
 * Starts `services/<service>/src/main.ts` through tsx (or its built `dist/main.js`) as a child process; the test then
 * talks to it over HTTP only, exactly as another service or a browser would.
 *
 * @example
 * const auth = startServiceProcess({ name: 'auth', service: 'auth', port, env: { VETO_ENV: 'local' } });
 * await auth.waitReady();
 */
export function startServiceProcess(options: ServiceProcessOptions): ServiceProcess {
  const cwd = options.script?.cwd ?? join(REPOSITORY, 'services', options.service);
  // `--import tsx` resolves from the working directory: the service's own, where tsx is a dev dependency.
  const entry =
    options.script !== undefined ? [options.script.file] : options.fromBuild === true ? [join(cwd, 'dist', 'main.js')] : ['--import', 'tsx', join(cwd, 'src', 'main.ts')];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let exitCode: number | null | undefined;
  const exited = once(child, 'exit').then(([code]) => {
    exitCode = code as number | null;
    return exitCode;
  });
  const url = `http://127.0.0.1:${options.port}`;

  return {
    name: options.name,
    url,
    pid: child.pid,
    output: () => output,
    async waitReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) {
          throw new Error(`${options.name} exited with ${exitCode} before it was ready:\n${output}`);
        }
        const ready = await fetch(`${url}/readyz`).then(
          (response) => response.status === 200,
          () => false,
        );
        if (ready) {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`${options.name} was not ready within ${timeoutMs} ms:\n${output}`);
    },
    async stop(graceMs = 10_000) {
      if (exitCode !== undefined) {
        return exitCode;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      return exited;
    },
  };
}
