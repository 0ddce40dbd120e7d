import { join } from 'node:path';
import { logLines } from './log-lines';

/** `node --import` argument that loads the memory probe (`memory-probe.mjs`) into a process. */
export const MEMORY_PROBE_ARGS: readonly string[] = ['--import', join(__dirname, 'memory-probe.mjs')];

/** How a process's memory splits at one moment, in MiB (from `process.memoryUsage()` and `v8.getHeapSpaceStatistics()`). */
export interface MemoryBreakdown {
  /** Epoch ms. */
  readonly at: number;
  /** Written right after two full garbage collections (on SIGUSR2): live memory only. */
  readonly collected: boolean;
  readonly rss: number;
  /** Committed by V8's heap, every space. */
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Young generation: both semi-spaces, committed. */
  readonly newSpace: number;
  readonly oldSpace: number;
  readonly codeSpace: number;
  /** Large objects, young, old and code. */
  readonly largeObjects: number;
  /** Memory of JavaScript objects held outside the heap (Buffers, ArrayBuffers). */
  readonly external: number;
  readonly arrayBuffers: number;
}

const MIB = 1024 * 1024;

function toBreakdown(record: Record<string, unknown>): MemoryBreakdown | undefined {
  const { at, rss, heapTotal, heapUsed, external, arrayBuffers, spaces } = record;
  if (typeof spaces !== 'object' || spaces === null) return undefined;
  const numbers = [at, rss, heapTotal, heapUsed, external, arrayBuffers];
  if (!numbers.every((value) => typeof value === 'number')) return undefined;
  const space = (name: string): number => {
    const size = (spaces as Record<string, unknown>)[name];
    return typeof size === 'number' ? size / MIB : 0;
  };
  return {
    at: at as number,
    collected: record.collected === true,
    rss: (rss as number) / MIB,
    heapTotal: (heapTotal as number) / MIB,
    heapUsed: (heapUsed as number) / MIB,
    newSpace: space('new_space'),
    oldSpace: space('old_space'),
    codeSpace: space('code_space'),
    largeObjects: space('large_object_space') + space('new_large_object_space') + space('code_large_object_space'),
    external: (external as number) / MIB,
    arrayBuffers: (arrayBuffers as number) / MIB,
  };
}

/**
 * The memory probe's records in a process's output, oldest first.
 *
 * @param output - everything the process wrote
 * @example
 * const records = memoryProbeRecords(tickets.output());
 */
export function memoryProbeRecords(output: string): MemoryBreakdown[] {
  return logLines(output, 'memory probe')
    .map(toBreakdown)
    .filter((record): record is MemoryBreakdown => record !== undefined);
}

/**
 * The last record at or before `at` (idle memory when the suite read VmRSS).
 *
 * @throws RangeError when no record is that old (the probe was not loaded)
 * @example
 * const idle = recordAt(memoryProbeRecords(auth.output()), Date.now());
 */
export function recordAt(records: readonly MemoryBreakdown[], at: number): MemoryBreakdown {
  const found = records.filter((record) => record.at <= at).at(-1);
  if (found === undefined) throw new RangeError(`no memory probe record at or before ${new Date(at).toISOString()}`);
  return found;
}

/**
 * The first record written after a full collection at or after `from`.
 *
 * @throws RangeError when there is none (no SIGUSR2 sent, or no `--expose-gc`)
 * @example
 * process.kill(pid, 'SIGUSR2');
 * const live = collectedAfter(memoryProbeRecords(output), sentAt);
 */
export function collectedAfter(records: readonly MemoryBreakdown[], from: number): MemoryBreakdown {
  const found = records.find((record) => record.collected && record.at >= from);
  if (found === undefined) throw new RangeError(`no memory probe record after a full collection since ${new Date(from).toISOString()}`);
  return found;
}

/**
 * The record with the highest RSS within `[from, to]` (memory under load).
 *
 * @throws RangeError when no record falls in the window
 * @example
 * const loaded = highestWithin(records, loadStart, loadEnd);
 */
export function highestWithin(records: readonly MemoryBreakdown[], from: number, to: number): MemoryBreakdown {
  const inside = records.filter((record) => record.at >= from && record.at <= to);
  if (inside.length === 0) throw new RangeError(`no memory probe record between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`);
  return inside.reduce((highest, record) => (record.rss > highest.rss ? record : highest));
}
