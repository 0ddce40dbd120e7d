import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** Extra command-line arguments, appended after the harness's own. */
  args?: string[];
  /** A nats-server configuration file (`-c`), for example one that sets permissions. */
  configFile?: string;
  /** Extra environment variables of the server process, e.g. passwords a configuration file reads as `$NAME`. */
  env?: Record<string, string>;
  /** How long to wait for the server to accept connections; 10 s by default. */
  startTimeoutMs?: number;
}

/** Options of {@link NatsServerHandle.restart}. */
export interface NatsRestartOptions {
  /** Kill the server with SIGKILL instead of stopping it with SIGTERM: no clean shutdown of its store. */
  kill?: boolean;
  /** Delete the JetStream store before starting again, as when the server's disk is lost. */
  emptyStore?: boolean;
  /**
   * First serve this long on the same port without JetStream, then restart with it: clients
   * reconnect to a server whose JetStream API does not answer yet (503 "no responders"). Only the
   * harness's own `-js` is left out: a `configFile` enabling JetStream keeps it on.
   */
  withoutJetStreamForMs?: number;
}

/** A running nats-server with JetStream on a loopback port and a private store. */
export interface NatsServerHandle {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The temporary directory holding the JetStream store and `nats-server.log`. */
  readonly storeDir: string;
  /** Stops the server (SIGTERM) and waits for it to exit; the store is kept. */
  stop(): Promise<void>;
  /** Kills the server (SIGKILL, as a crash would) and waits for it to exit; the store is kept. */
  kill(): Promise<void>;
  /**
   * Starts the server again on the same port (stopping it first if it runs), with the same store
   * unless `emptyStore` is set.
   */
  restart(options?: NatsRestartOptions): Promise<void>;
  /** Stops the server and deletes its store. */
  cleanup(): Promise<void>;
}

const SEARCH_DIRS = ['/usr/sbin', '/usr/local/bin', '/usr/bin'];
const running = new Set<ChildProcess>();
const storeDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous on purpose: 'exit' handlers cannot await, and a leaked server would hold its port.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
    for (const dir of storeDirs) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Locates the nats-server binary on PATH or in the usual system directories.
 *
 * @param dirs - where to look; PATH, then /usr/sbin, /usr/local/bin and /usr/bin by default
 * @returns the absolute path of the binary
 * @throws Error naming the Debian package when no binary is found
 * @example
 * const bin = findNatsServer(); // '/usr/sbin/nats-server'
 */
export function findNatsServer(dirs: readonly string[] = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS]): string {
  for (const dir of dirs) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  throw new Error('nats-server not found on PATH, /usr/sbin or /usr/local/bin; install the Debian package: apt-get install nats-server');
}

/** A loopback port free right now (the OS picks it); the harnesses bind their servers to such ports. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntilListening(child: ChildProcess, port: number, timeoutMs: number, logFile: string): Promise<void> {
  let exited: string | undefined;
  const onExit = (code: number | null, signal: string | null): void => {
    exited = `exited with code ${code} signal ${signal}`;
  };
  child.once('exit', onExit);
  try {
    const deadline = Date.now() + timeoutMs;
    // The server gives no readiness signal on stdout when logging to a file, so poll the port briefly.
    while (!(await canConnect(port))) {
      if (exited) throw new Error(`nats-server ${exited} before accepting connections; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`nats-server did not accept connections on port ${port} within ${timeoutMs} ms; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    child.off('exit', onExit);
  }
}

/**
 * Starts a private nats-server with JetStream for integration tests: a free loopback
 * port, a temporary store, its log in that store. A process exit hook kills every
 * server still running, so none outlives the test process.
 *
 * @param options - extra `args`, a `configFile`, its `env`, `startTimeoutMs`
 * @returns a handle to stop, restart (same port and store) and clean up the server
 * @throws Error when the binary is missing (the message names `apt-get install nats-server`) or the server does not start
 * @example
 * const server = await startNatsServer();
 * const nc = await connectTo(server);
 * // ...
 * await nc.close();
 * await server.cleanup();
 */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const binary = findNatsServer();
  installExitHook();
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'veto-nats-'));
  storeDirs.add(storeDir);
  const logFile = join(storeDir, 'nats-server.log');
  const args = ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port), '-l', logFile];
  if (options.configFile) args.push('-c', options.configFile);
  args.push(...(options.args ?? []));
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let child: ChildProcess | undefined;

  const start = async (startArgs: readonly string[] = args): Promise<void> => {
    const proc = spawn(binary, startArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...options.env } });
    let stderr = '';
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    child = proc;
    try {
      await waitUntilListening(proc, port, timeoutMs, logFile);
    } catch (error) {
      proc.kill('SIGKILL');
      throw new Error(`${(error as Error).message}${stderr ? `\n${stderr}` : ''}`, { cause: error });
    }
  };

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    await exited;
  };

  const emptyStore = async (): Promise<void> => {
    // The log file lives in the store directory too; keep it, so one file tells the whole story.
    for (const entry of await readdir(storeDir)) {
      if (entry !== 'nats-server.log') await rm(join(storeDir, entry), { recursive: true, force: true });
    }
  };

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop: () => stop(),
    kill: () => stop('SIGKILL'),
    async restart(restartOptions = {}) {
      await stop(restartOptions.kill === true ? 'SIGKILL' : 'SIGTERM');
      if (restartOptions.emptyStore === true) await emptyStore();
      if (restartOptions.withoutJetStreamForMs !== undefined) {
        await start(args.filter((arg, i) => arg !== '-js' && arg !== '-sd' && args[i - 1] !== '-sd'));
        await new Promise((resolve) => setTimeout(resolve, restartOptions.withoutJetStreamForMs));
        await stop('SIGKILL');
      }
      await start();
    },
    async cleanup() {
      await stop();
      await rm(storeDir, { recursive: true, force: true });
      storeDirs.delete(storeDir);
    },
  };
}
