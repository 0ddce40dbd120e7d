import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from '@veto/e2e';
import { startAuthStack } from './auth-stack';
import { startBenchChild } from './bench-child';
import { runLoad, type LoadResult } from './http-load';
import { formatNumber, formatPercent, formatRatio, markdownTable, verdict } from './markdown-table';
import { OVERHEAD_MODE_LABELS, OVERHEAD_MODE_REVOCATION, OVERHEAD_MODES, type OverheadMode } from './overhead-modes';
import { processCpuSeconds } from './process-cpu';
import { startRedisServer } from './redis-server';
import { median } from './summarize';
import { renderBarChart } from './svg-chart';

/** Targets of issue 6 for suite 1. */
export const OVERHEAD_TARGETS = { vetoVsNoAuth: 0.9, vetoVsIntrospection: 3 } as const;

/** Options of {@link runOverheadSuite}. */
export interface OverheadOptions {
  readonly rounds: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly outageSeconds: number;
  /** Default: all of {@link OVERHEAD_MODES}. */
  readonly modes?: readonly OverheadMode[];
  readonly log: (line: string) => void;
}

/** One mode's measurements. */
export interface OverheadModeResult {
  readonly mode: OverheadMode;
  readonly label: string;
  readonly rounds: readonly { requestsPerSecond: number; p50Ms: number; p99Ms: number; successRate: number; cpuMsPerRequest: number }[];
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Median over rounds of this mode's throughput divided by (a)'s in the same round. */
  readonly ratioToNoAuth: number;
  /** CPU time of the server processes (bench server, and the auth service) per request, median over rounds. */
  readonly cpuMsPerRequest: number;
  /** (a)'s CPU per request ÷ this mode's, within each round: the throughput ratio once every core is busy. */
  readonly cpuRatioToNoAuth: number;
  /** With the auth service stopped: 2xx / requests. */
  readonly successRateAuthDown: number;
  readonly statusCountsAuthDown: Readonly<Record<string, number>>;
  /** Median over rounds of (b)'s throughput divided by this mode's in the same round. */
  readonly vetoThroughputRatio: number;
  /** This mode's CPU per request ÷ (b)'s, within each round. */
  readonly cpuRatioToVeto: number;
  /** Modes that ask Redis only: with Redis stopped (the auth service stopped too), 2xx / requests. */
  readonly successRateRedisDown?: number;
  readonly statusCountsRedisDown?: Readonly<Record<string, number>>;
}

/** The modes whose requests ask Redis; measured once more with Redis stopped. */
const REDIS_MODES: readonly OverheadMode[] = ['redis-denylist'];

/** What suite 1 found. */
export interface OverheadResults {
  readonly route: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly modes: readonly OverheadModeResult[];
  readonly vetoVsIntrospection: number;
  /** (d)'s CPU per request ÷ (b)'s, within each round. */
  readonly vetoVsIntrospectionCpu: number;
}

/** A load run and the CPU the server processes spent on it. */
interface MeasuredRun extends LoadResult {
  readonly cpuMsPerRequest: number;
}

function roundOf(result: MeasuredRun) {
  return {
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.latencyMs?.p50 ?? Number.NaN,
    p99Ms: result.latencyMs?.p99 ?? Number.NaN,
    successRate: result.successRate,
    cpuMsPerRequest: result.cpuMsPerRequest,
  };
}

/**
 * Suite 1: the same tickets read (`GET /api/tickets/:id`, a PGlite lookup) in every mode of
 * {@link OVERHEAD_MODES}, served by one bench server process (see overhead-server.ts), loaded with
 * autocannon from this process in interleaved rounds (the order rotates every round), then again
 * with the auth service stopped, then the Redis modes with Redis stopped as well.
 *
 * @param options - rounds, duration per run, connections, outage run length, logger
 * @throws Error when the stack does not start or a mode fails while the auth service is up
 * @example
 * const results = await runOverheadSuite({ rounds: 3, durationSeconds: 5, connections: 10, outageSeconds: 3, log });
 */
export async function runOverheadSuite(options: OverheadOptions): Promise<OverheadResults> {
  const MODES = options.modes ?? OVERHEAD_MODES;
  const stack = await startAuthStack();
  const redis = await startRedisServer().catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  try {
    const user = await stack.signUp(`bench-${randomBytes(4).toString('hex')}@example.com`);
    const server = await startBenchChild<{ ports: Record<OverheadMode, number> }>(
      'overhead-server.ts',
      { ...stack.serviceEnv, DATA_DIR: join(stack.dataDir, 'overhead-server'), REDIS_URL: redis.url, INTROSPECTION_URL: stack.introspectionUrl, INTROSPECTION_CLIENT_SECRET: stack.introspectionSecret },
      { nodeArgs: [...stack.nodeArgs] },
    );
    try {
      const base = (mode: OverheadMode) => `http://127.0.0.1:${server.ready.ports[mode]}`;
      const created = await request('POST', `${base('veto')}/api/tickets`, { token: user.token, body: { title: 'Bench ticket', price: 4200 } });
      if (created.status !== 201) throw new Error(`creating the ticket answered ${created.status}: ${JSON.stringify(created.body)}`);
      const route = `/api/tickets/${created.body.id as string}`;
      const load = (mode: OverheadMode, durationSeconds: number) =>
        runLoad({ url: `${base(mode)}${route}`, headers: { authorization: `Bearer ${user.token}` }, connections: options.connections, durationSeconds });
      // Every server process a request may touch is charged, so (d) pays for the auth service's work too, (e) for Redis's.
      const serverPids = [server.process.pid, stack.auth.pid, redis.pid].filter((pid): pid is number => pid !== undefined);
      const serverCpuSeconds = () => serverPids.reduce((total, pid) => total + processCpuSeconds(pid), 0);
      const measured = async (mode: OverheadMode, durationSeconds: number): Promise<MeasuredRun> => {
        const before = serverCpuSeconds();
        const result = await load(mode, durationSeconds);
        return { ...result, cpuMsPerRequest: ((serverCpuSeconds() - before) * 1000) / result.responses };
      };

      for (const mode of MODES) {
        const warm = await load(mode, 1);
        if (warm.ok === 0) throw new Error(`mode ${mode} answered no 2xx while warming up: ${JSON.stringify(warm.statusCounts)}`);
      }
      const runs = new Map<OverheadMode, MeasuredRun[]>(MODES.map((mode) => [mode, []]));
      for (let round = 0; round < options.rounds; round += 1) {
        // Rotating the order keeps a mode from always running right after the same neighbour.
        const order = MODES.map((_, i) => MODES[(i + round) % MODES.length] as OverheadMode);
        for (const mode of order) {
          const result = await measured(mode, options.durationSeconds);
          runs.get(mode)?.push(result);
          options.log(
            `overhead: round ${round + 1} ${mode}: ${formatNumber(result.requestsPerSecond)} req/s, p99 ${result.latencyMs?.p99.toFixed(2)} ms, ${result.cpuMsPerRequest.toFixed(3)} CPU ms/request, ok ${formatPercent(result.successRate)}`,
          );
        }
      }

      await stack.stopAuth();
      options.log('overhead: auth service stopped');
      const outage = new Map<OverheadMode, LoadResult>();
      for (const mode of MODES) {
        const result = await load(mode, options.outageSeconds);
        outage.set(mode, result);
        options.log(`overhead: auth down, ${mode}: ${formatPercent(result.successRate)} succeeded ${JSON.stringify(result.statusCounts)}`);
      }
      await redis.stop();
      options.log('overhead: Redis stopped');
      const redisOutage = new Map<OverheadMode, LoadResult>();
      for (const mode of MODES.filter((m) => REDIS_MODES.includes(m))) {
        const result = await load(mode, options.outageSeconds);
        redisOutage.set(mode, result);
        options.log(`overhead: Redis down, ${mode}: ${formatPercent(result.successRate)} succeeded ${JSON.stringify(result.statusCounts)}`);
      }

      const noAuthRuns = runs.get('no-auth') ?? [];
      const vetoRuns = runs.get('veto') ?? [];
      const modes = MODES.map((mode): OverheadModeResult => {
        const modeRuns = runs.get(mode) ?? [];
        const down = outage.get(mode);
        const redisDown = redisOutage.get(mode);
        return {
          mode,
          label: OVERHEAD_MODE_LABELS[mode],
          rounds: modeRuns.map(roundOf),
          requestsPerSecond: median(modeRuns.map((run) => run.requestsPerSecond)),
          p50Ms: median(modeRuns.map((run) => run.latencyMs?.p50 ?? Number.NaN)),
          p99Ms: median(modeRuns.map((run) => run.latencyMs?.p99 ?? Number.NaN)),
          ratioToNoAuth: median(modeRuns.map((run, i) => run.requestsPerSecond / (noAuthRuns[i]?.requestsPerSecond ?? Number.NaN))),
          cpuMsPerRequest: median(modeRuns.map((run) => run.cpuMsPerRequest)),
          cpuRatioToNoAuth: median(modeRuns.map((run, i) => (noAuthRuns[i]?.cpuMsPerRequest ?? Number.NaN) / run.cpuMsPerRequest)),
          successRateAuthDown: down?.successRate ?? 0,
          statusCountsAuthDown: down?.statusCounts ?? {},
          vetoThroughputRatio: median(modeRuns.map((run, i) => (vetoRuns[i]?.requestsPerSecond ?? Number.NaN) / run.requestsPerSecond)),
          cpuRatioToVeto: median(modeRuns.map((run, i) => run.cpuMsPerRequest / (vetoRuns[i]?.cpuMsPerRequest ?? Number.NaN))),
          ...(redisDown ? { successRateRedisDown: redisDown.successRate, statusCountsRedisDown: redisDown.statusCounts } : {}),
        };
      });
      const introspectionRuns = runs.get('introspection') ?? [];
      return {
        route: 'GET /api/tickets/:id',
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        rounds: options.rounds,
        modes,
        vetoVsIntrospection: median(vetoRuns.map((run, i) => run.requestsPerSecond / (introspectionRuns[i]?.requestsPerSecond ?? Number.NaN))),
        vetoVsIntrospectionCpu: median(vetoRuns.map((run, i) => (introspectionRuns[i]?.cpuMsPerRequest ?? Number.NaN) / run.cpuMsPerRequest)),
      };
    } finally {
      await server.stop();
    }
  } finally {
    await redis.stop();
    await stack.stop();
  }
}

/** A success rate and the statuses of the other answers, e.g. `0.0% (503)`. */
function outcome(successRate: number, statusCounts: Readonly<Record<string, number>>): string {
  const refusals = Object.keys(statusCounts).filter((status) => !status.startsWith('2'));
  return refusals.length === 0 ? formatPercent(successRate) : `${formatPercent(successRate)} (${refusals.join(', ')})`;
}

/**
 * The overhead section of docs/benchmarks.md and its chart.
 *
 * @example
 * const { markdown, charts } = overheadReport(results);
 */
export function overheadReport(results: OverheadResults): { markdown: string; charts: Record<string, string> } {
  const byMode = new Map(results.modes.map((mode) => [mode.mode, mode]));
  const vetoRatio = byMode.get('veto')?.ratioToNoAuth ?? Number.NaN;
  const table = markdownTable(
    ['Mode', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Throughput vs (a)', 'Server CPU per request (ms)', 'Requests per CPU-second vs (a)', 'Success with the auth service down'],
    results.modes.map((mode) => [
      mode.label,
      formatNumber(mode.requestsPerSecond),
      formatNumber(mode.p50Ms, 2),
      formatNumber(mode.p99Ms, 2),
      formatRatio(mode.ratioToNoAuth),
      formatNumber(mode.cpuMsPerRequest, 3),
      formatRatio(mode.cpuRatioToNoAuth),
      formatPercent(mode.successRateAuthDown),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const targets = markdownTable(
    ['Target', 'Measured', 'Verdict'],
    [
      [`(b) ≥ ${OVERHEAD_TARGETS.vetoVsNoAuth * 100}% of (a)'s throughput`, formatPercent(vetoRatio), verdict(vetoRatio >= OVERHEAD_TARGETS.vetoVsNoAuth)],
      [`(b) ≥ ${OVERHEAD_TARGETS.vetoVsIntrospection}× (d)`, formatRatio(results.vetoVsIntrospection), verdict(results.vetoVsIntrospection >= OVERHEAD_TARGETS.vetoVsIntrospection)],
      [
        `(b) ≥ ${OVERHEAD_TARGETS.vetoVsIntrospection}× (d), per CPU-second (every core busy)`,
        formatRatio(results.vetoVsIntrospectionCpu),
        verdict(results.vetoVsIntrospectionCpu >= OVERHEAD_TARGETS.vetoVsIntrospection),
      ],
    ],
  );
  const against = markdownTable(
    ['Mode', '(b) throughput ÷ this', 'This CPU per request ÷ (b)', 'Stopped dependency', 'Success with it stopped', 'A ban takes effect'],
    results.modes.map((mode) => {
      const redisDown = mode.successRateRedisDown !== undefined;
      return [
        mode.label,
        formatRatio(mode.vetoThroughputRatio),
        formatRatio(mode.cpuRatioToVeto),
        redisDown ? 'Redis' : 'auth service',
        redisDown ? outcome(mode.successRateRedisDown ?? 0, mode.statusCountsRedisDown ?? {}) : outcome(mode.successRateAuthDown, mode.statusCountsAuthDown),
        OVERHEAD_MODE_REVOCATION[mode.mode],
      ];
    }),
    ['l', 'r', 'r', 'l', 'r', 'l'],
  );
  const markdown = [
    `\`${results.route}\`, ${results.connections} keep-alive connections, ${results.rounds} interleaved rounds of ${results.durationSeconds} s per mode; medians over rounds, ratios taken within each round. Server CPU = user + system time of the bench server, the auth service and redis-server processes during the run, ÷ responses.`,
    '',
    table,
    '',
    'Veto (b) against each mode, same rounds:',
    '',
    against,
    '',
    targets,
    '',
    '![Throughput per mode](benchmarks/overhead.svg)',
  ].join('\n');
  const chart = renderBarChart({
    title: `Tickets read throughput per auth mode (${results.connections} connections)`,
    unit: 'req/s',
    bars: results.modes.map((mode) => ({ label: mode.label, value: mode.requestsPerSecond, note: `${formatRatio(mode.ratioToNoAuth)} of (a)` })),
  });
  return { markdown, charts: { 'overhead.svg': chart } };
}
