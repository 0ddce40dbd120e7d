import { join } from 'node:path';
import { logLines } from './log-lines';

/** `node --import` argument that loads the loop probe (`loop-probe.mjs`) into a process. */
export const LOOP_PROBE_ARGS: readonly string[] = ['--import', join(__dirname, 'loop-probe.mjs')];

/** A stretch in which a process could not run JavaScript on time: a GC pause, or a timer that fired late (`stall`). */
export interface Pause {
  readonly kind: 'gc' | 'stall';
  /** Epoch ms with a sub-millisecond fraction. */
  readonly from: number;
  readonly to: number;
}

/** One second of a process's event-loop delay, in ms. */
export interface LoopDelay {
  readonly at: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The loop probe's records in a process's output.
 *
 * @param output - everything the process wrote
 * @example
 * const { pauses, delays } = loopProbeRecords(auth.output());
 */
export function loopProbeRecords(output: string): { pauses: Pause[]; delays: LoopDelay[] } {
  const pauses: Pause[] = [];
  const delays: LoopDelay[] = [];
  for (const record of logLines(output, 'loop probe')) {
    const { kind, from, to, at, p50, p99, max } = record;
    if ((kind === 'gc' || kind === 'stall') && typeof from === 'number' && typeof to === 'number') pauses.push({ kind, from, to });
    else if (kind === 'delay' && typeof at === 'number' && typeof p50 === 'number' && typeof p99 === 'number' && typeof max === 'number') delays.push({ at, p50, p99, max });
  }
  return { pauses, delays };
}

/**
 * How many ms of `[from, to]` the pauses of one kind cover (overlaps counted once).
 *
 * @example
 * pausedWithin([{ kind: 'gc', from: 1, to: 3 }], 'gc', 2, 10); // 1
 */
export function pausedWithin(pauses: readonly Pause[], kind: Pause['kind'], from: number, to: number): number {
  const inside = pauses
    .filter((pause) => pause.kind === kind && pause.to > from && pause.from < to)
    .map((pause) => [Math.max(pause.from, from), Math.min(pause.to, to)] as const)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = from;
  for (const [start, end] of inside) {
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return covered;
}
