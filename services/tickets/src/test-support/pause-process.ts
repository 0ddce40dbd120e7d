import { readdirSync, readFileSync } from 'node:fs';

/**
 * Freezes (SIGSTOP) the test nats-server whose store directory is `storeDir`, so a test can
 * observe the state before the server answers, without a sleep; returns the function that
 * resumes it (SIGCONT). Only the server this test file started matches its private store dir.
 *
 * @param storeDir - `NatsServerHandle.storeDir` of the test server
 * @throws Error when no such process runs
 * @example
 * const resume = pauseNatsServer(server.storeDir);
 * // ... assert the not-ready state
 * resume();
 */
export function pauseNatsServer(storeDir: string): () => void {
  const pid = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .find((entry) => {
      try {
        const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
        return args[0]?.endsWith('nats-server') === true && args.includes(storeDir);
      } catch {
        // The process ended while the list was read: it is not the server.
        return false;
      }
    });
  if (pid === undefined) throw new Error(`no nats-server runs with the store ${storeDir}`);
  process.kill(Number(pid), 'SIGSTOP');
  return () => process.kill(Number(pid), 'SIGCONT');
}
