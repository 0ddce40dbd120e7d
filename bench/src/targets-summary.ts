import { formatNumber, formatPercent, formatRatio, markdownTable, verdict } from './markdown-table';
import { overheadTargets, type OverheadResults } from './overhead-suite';
import { PROPAGATION_TARGET_P99_MS, type PropagationResults } from './propagation-suite';
import { REPLAY_TARGETS, type ReplayResults } from './replay-suite';
import { STORM_TARGETS, type StormResults } from './storm-suite';

/** The latest results of each suite, as read back from bench/results (any may be missing). */
export interface LatestResults {
  overhead?: OverheadResults & { finishedAt: string };
  propagation?: PropagationResults & { finishedAt: string };
  replay?: ReplayResults & { finishedAt: string };
  storm?: StormResults & { finishedAt: string };
}

type Row = [suite: string, target: string, measured: string, met: boolean, when: string];

function overheadRows(results: NonNullable<LatestResults['overhead']>): Row[] {
  return overheadTargets(results).map((check): Row => ['1. overhead', check.target, check.measured, check.met, results.finishedAt]);
}

function propagationRows(results: NonNullable<LatestResults['propagation']>): Row[] {
  return [
    [
      '2. propagation',
      `p99 ≤ ${PROPAGATION_TARGET_P99_MS} ms, instance apply`,
      `${formatNumber(results.applyMs.p99, 2)} ms`,
      results.applyMs.p99 <= PROPAGATION_TARGET_P99_MS,
      results.finishedAt,
    ],
    [
      '2. propagation',
      `p99 ≤ ${PROPAGATION_TARGET_P99_MS} ms, client probe`,
      `${formatNumber(results.probeMs.p99, 2)} ms`,
      results.probeMs.p99 <= PROPAGATION_TARGET_P99_MS,
      results.finishedAt,
    ],
  ];
}

function replayRows(results: NonNullable<LatestResults['replay']>): Row[] {
  const slowest = Math.min(...results.sizes.map((size) => size.eventsPerSecond));
  const largest = results.sizes.reduce((a, b) => (b.events > a.events ? b : a));
  return [
    [
      '3. replay',
      `≥ ${formatNumber(REPLAY_TARGETS.eventsPerSecond)} events/s (slowest size)`,
      `${formatNumber(slowest)} events/s`,
      slowest >= REPLAY_TARGETS.eventsPerSecond,
      results.finishedAt,
    ],
    [
      '3. replay',
      `≤ ${REPLAY_TARGETS.bytesPerEntry} bytes per entry (${formatNumber(largest.events)} entries)`,
      `${formatNumber(largest.bytesPerEntry)} B`,
      largest.bytesPerEntry <= REPLAY_TARGETS.bytesPerEntry,
      results.finishedAt,
    ],
  ];
}

function stormRows(results: NonNullable<LatestResults['storm']>): Row[] {
  return results.variants.flatMap((variant): Row[] => [
    [
      '4. storm',
      `${variant.description}: throughput within ${formatPercent(STORM_TARGETS.throughputWithin, 0)}`,
      `${formatRatio(variant.throughputRatio)} of quiet`,
      variant.throughputRatio >= 1 - STORM_TARGETS.throughputWithin,
      results.finishedAt,
    ],
    [
      '4. storm',
      `${variant.description}: p99 within ${STORM_TARGETS.p99Within}×`,
      `${formatRatio(variant.p99Ratio)} of quiet`,
      variant.p99Ratio <= STORM_TARGETS.p99Within,
      results.finishedAt,
    ],
  ]);
}

/**
 * The table of every target of issue 6 against the latest measurement, for the top of
 * docs/benchmarks.md. Suites not run yet are listed as such.
 *
 * @param latest - whatever results exist
 * @example
 * const markdown = targetsSummary({ replay });
 */
export function targetsSummary(latest: LatestResults): string {
  const rows: string[][] = [];
  const add = (suite: string, rowsOf: () => Row[], present: boolean) => {
    if (!present) {
      rows.push([suite, '—', 'not run yet', '—', '—']);
      return;
    }
    for (const [name, target, measured, met, when] of rowsOf()) rows.push([name, target, measured, verdict(met), when.slice(0, 16).replace('T', ' ')]);
  };
  add('1. overhead', () => overheadRows(latest.overhead as NonNullable<LatestResults['overhead']>), latest.overhead !== undefined);
  add('2. propagation', () => propagationRows(latest.propagation as NonNullable<LatestResults['propagation']>), latest.propagation !== undefined);
  add('3. replay', () => replayRows(latest.replay as NonNullable<LatestResults['replay']>), latest.replay !== undefined);
  add('4. storm', () => stormRows(latest.storm as NonNullable<LatestResults['storm']>), latest.storm !== undefined);
  return markdownTable(['Suite', 'Target', 'Measured', 'Verdict', 'Run (UTC)'], rows);
}
