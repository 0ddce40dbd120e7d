import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** A JWT library in another process, checking one token per line (see `src/interop/*-verify.*`). */
export interface TokenCheckerProcess {
  /** The library and version it announced when ready. */
  readonly library: string;
  /** Sends a token; resolves with `'accepted'` or the library's error, as `Class: message`. */
  check(token: string): Promise<string>;
  /** Closes its stdin and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts a token checker and waits until it has fetched the JWKS and says it is ready.
 *
 * @param command - the executable, e.g. `/usr/bin/python3` or `process.execPath`
 * @param args - the script and its arguments
 * @throws Error with the checker's stderr when it exits before it is ready
 * @example
 * const pyjwt = await startTokenChecker('/usr/bin/python3', [script, jwksUrl, issuer, audience]);
 * expect(await pyjwt.check(token)).toBe('accepted');
 */
export async function startTokenChecker(command: string, args: readonly string[]): Promise<TokenCheckerProcess> {
  // A proxy configured for the machine must not catch the requests to the local JWKS.
  const child = spawn(command, args, { env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = once(child, 'exit');
  const pending: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  const lines = createInterface({ input: child.stdout });
  let ready: (line: string) => void = () => undefined;
  const readyLine = new Promise<string>((resolve) => {
    ready = resolve;
  });
  let started = false;
  lines.on('line', (line) => {
    if (!started) {
      started = true;
      ready(line);
      return;
    }
    pending.shift()?.resolve(line);
  });
  void exited.then(([code]) => {
    for (const waiter of pending.splice(0)) waiter.reject(new Error(`${command} exited with ${String(code)}\n${stderr}`));
  });
  const first = await Promise.race([
    readyLine,
    exited.then(([code]) => {
      throw new Error(`${command} ${args.join(' ')} exited with ${String(code)} before it was ready\n${stderr}`);
    }),
  ]);
  const { library } = JSON.parse(first) as { library: string };
  return {
    library,
    check(token) {
      return new Promise<string>((resolve, reject) => {
        pending.push({ resolve: (line) => resolve((JSON.parse(line) as { result: string }).result), reject });
        child.stdin.write(`${token}\n`);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin.end();
      await exited;
    },
  };
}
