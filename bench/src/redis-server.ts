import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from '@veto/e2e';

/** A redis-server of its own, on a loopback port, with nothing written to disk. */
export interface RedisServerHandle {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** The server's process id, to charge its CPU time. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM) and waits for it to exit; resolves at once when already stopped. */
  stop(): Promise<void>;
}

const SEARCH_DIRS = ['/usr/bin', '/usr/local/bin', '/usr/sbin'];

/**
 * Locates Debian's redis-server binary on PATH or in the usual system directories.
 *
 * @throws Error saying how to install it when it is absent
 * @example
 * findRedisServer(); // '/usr/bin/redis-server'
 */
export function findRedisServer(dirs: readonly string[] = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS]): string {
  for (const dir of dirs) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory; keep looking
    }
  }
  throw new Error('missing redis-server: install with apt-get install redis-server');
}

/**
 * Starts redis-server on a free loopback port without persistence (`--save ''`,
 * `--appendonly no`) and waits until it accepts connections.
 *
 * @param options - `startTimeoutMs`, 10 s by default
 * @throws Error when redis-server is missing, exits early or is not ready in time
 * @example
 * const redis = await startRedisServer();
 * await redis.stop();
 */
export async function startRedisServer(options: { startTimeoutMs?: number } = {}): Promise<RedisServerHandle> {
  const bin = findRedisServer();
  const port = await freePort();
  const child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', '/tmp', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  let output = '';
  const ready = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (output.includes('Ready to accept connections')) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const timeoutMs = options.startTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ready,
      exited.then(([code]) => {
        throw new Error(`redis-server exited with ${String(code)} before it was ready:\n${output}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis-server was not ready on port ${port} within ${timeoutMs} ms:\n${output}`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    clearTimeout(timer);
  }
  child.stdout.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
