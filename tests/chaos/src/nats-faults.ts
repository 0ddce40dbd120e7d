import { readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { NatsServerHandle } from '@veto/events/testing';

// The harness hides its child process and stops it with SIGTERM only: find the server by its
// private store directory, which is on its command line and belongs to no other process.
function natsServerPid(storeDir: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let commandLine: string[];
    try {
      commandLine = readFileSync(join('/proc', entry, 'cmdline'), 'utf8').split('\0');
    } catch {
      continue; // exited while we looked
    }
    const storeFlag = commandLine.indexOf('-sd');
    if (commandLine[0]?.endsWith('nats-server') && storeFlag >= 0 && commandLine[storeFlag + 1] === storeDir) return Number(entry);
  }
  return undefined;
}

function isGone(pid: number): boolean {
  try {
    // A zombie still answers signal 0; its state in /proc/<pid>/stat tells.
    process.kill(pid, 0);
    return readFileSync(join('/proc', String(pid), 'stat'), 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/**
 * Kills the server of `nats` with SIGKILL (no flush, no goodbye to clients) and waits until it is gone.
 *
 * @throws Error when no such server runs
 * @example
 * await killNatsServer(nats);
 * await nats.restart();
 */
export async function killNatsServer(nats: NatsServerHandle): Promise<void> {
  const pid = natsServerPid(nats.storeDir);
  if (pid === undefined) throw new Error(`no nats-server with the store ${nats.storeDir} is running`);
  process.kill(pid, 'SIGKILL');
  while (!isGone(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Deletes the JetStream store of a stopped or killed server, so its next start begins empty
 * (streams, consumers and messages gone), as after losing a disk.
 *
 * @example
 * await killNatsServer(nats);
 * await wipeNatsStore(nats);
 * await nats.restart();
 */
export async function wipeNatsStore(nats: NatsServerHandle): Promise<void> {
  await rm(join(nats.storeDir, 'jetstream'), { recursive: true, force: true });
}
