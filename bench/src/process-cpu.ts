import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * User + system CPU clock ticks from the text of `/proc/<pid>/stat`. The command name (field 2)
 * is in parentheses and may hold spaces, so fields are counted after its closing parenthesis.
 *
 * @param stat - the file's content
 * @throws RangeError when the text is not a stat line
 * @example
 * cpuTicksFromStat('42 (node) S 1 ... 130 25 ...'); // 155
 */
export function cpuTicksFromStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new RangeError('not a /proc/<pid>/stat line');
  return utime + stime;
}

let ticksPerSecond: number | undefined;

/**
 * CPU seconds a process has used so far (user + system), from Linux's `/proc`. The suites read
 * it before and after a run to charge each mode with the CPU of every server process involved.
 *
 * @param pid - a running process
 * @throws Error when the process does not exist or `/proc` is unavailable (not Linux)
 * @example
 * const before = processCpuSeconds(pid);
 */
export function processCpuSeconds(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / ticksPerSecond;
}
