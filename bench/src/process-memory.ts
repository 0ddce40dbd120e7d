import { readdirSync, readFileSync } from 'node:fs';

/** Resident memory of a process, in MiB. */
export interface ProcessMemory {
  /** VmRSS: resident now. */
  readonly rssMiB: number;
  /** VmHWM: the highest resident size since the process started. */
  readonly peakMiB: number;
}

function field(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (match === null) throw new RangeError(`no ${name} line in the /proc/<pid>/status text`);
  return Number(match[1]) / 1024;
}

/**
 * VmRSS and VmHWM from the text of `/proc/<pid>/status` (Linux reports both in kB).
 *
 * @param status - the file's content
 * @throws RangeError when either line is missing (a kernel thread, or not a status file)
 * @example
 * memoryFromStatus('VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n'); // { rssMiB: 1, peakMiB: 2 }
 */
export function memoryFromStatus(status: string): ProcessMemory {
  return { rssMiB: field(status, 'VmRSS'), peakMiB: field(status, 'VmHWM') };
}

/**
 * Resident memory of a running process, from Linux's `/proc`.
 *
 * @param pid - a running process
 * @throws Error when the process does not exist or `/proc` is unavailable (not Linux)
 * @example
 * const { rssMiB } = processMemory(auth.pid);
 */
export function processMemory(pid: number): ProcessMemory {
  return memoryFromStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/**
 * The process whose command line holds every one of `parts`, e.g. the nats-server the test harness
 * started on a given port (the harness does not expose its pid).
 *
 * @param parts - strings the NUL-separated command line must contain
 * @throws Error when no process, or more than one, matches
 * @example
 * findProcess(['nats-server', String(nats.port)]);
 */
export function findProcess(parts: readonly string[]): number {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone since it was listed
    }
    if (parts.every((part) => cmdline.includes(part))) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`${found.length} processes match ${JSON.stringify(parts)}`);
  return found[0] as number;
}
