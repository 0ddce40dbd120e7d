import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { request } from '@veto/e2e';
import { startAuthStack } from './auth-stack';
import { startBenchChild } from './bench-child';
import { runLoad, type LoadResult } from './http-load';
import { formatNumber, formatPercent, formatRatio, markdownTable, verdict } from './markdown-table';
import { NO_READ_PATH } from './overhead-apps';
import { OVERHEAD_MODE_LABELS, OVERHEAD_MODE_REVOCATION, OVERHEAD_MODES, type OverheadMode } from './overhead-modes';
import { processCpuSeconds } from './process-cpu';
import { startRedisServer } from './redis-server';
import { median, medianOfRatios } from './summarize';
import { renderBarChart } from './svg-chart';

/** Targets of issue 6 for suite 1. */
export const OVERHEAD_TARGETS = { vetoVsNoAuth: 0.9, vetoVsIntrospection: 3 } as const;

/** The routes suite 1 measures in every mode, in display order. */
export const OVERHEAD_ROUTES = ['read', 'no-read'] as const;

/** One of {@link OVERHEAD_ROUTES}. */
export type OverheadRoute = (typeof OVERHEAD_ROUTES)[number];

/** How each route is named in tables and charts. */
export const OVERHEAD_ROUTE_LABELS: Readonly<Record<OverheadRoute, string>> = {
  read: 'read route',
  'no-read': 'no-read route',
};

const ROUTE_PATHS: Readonly<Record<OverheadRoute, string>> = {
  read: 'GET /api/tickets/:id',
  'no-read': `GET ${NO_READ_PATH}`,
};

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

/** One mode's measurements on one route. */
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
  /** Median over rounds of (b)'s throughput divided by this mode's in the same round. */
  readonly vetoThroughputRatio: number;
  /** This mode's CPU per request ÷ (b)'s, within each round. */
  readonly cpuRatioToVeto: number;
}

/** Every mode on one route, and the introspection target on it. */
export interface OverheadRouteResult {
  readonly route: OverheadRoute;
  /** Method and path, e.g. `GET /api/tickets/:id`. */
  readonly path: string;
  readonly modes: readonly OverheadModeResult[];
  /** (b)'s throughput ÷ (d)'s, within each round. */
  readonly vetoVsIntrospection: number;
  /** (d)'s CPU per request ÷ (b)'s, within each round. */
  readonly vetoVsIntrospectionCpu: number;
}

/** What still works in one mode with a dependency stopped (measured on the read route). */
export interface OverheadOutage {
  readonly mode: OverheadMode;
  /** With the auth service stopped: 2xx / requests. */
  readonly successRateAuthDown: number;
  readonly statusCountsAuthDown: Readonly<Record<string, number>>;
  /** Modes that ask Redis only: with Redis stopped (the auth service stopped too), 2xx / requests. */
  readonly successRateRedisDown?: number;
  readonly statusCountsRedisDown?: Readonly<Record<string, number>>;
}

/** The modes whose requests ask Redis; measured once more with Redis stopped. */
const REDIS_MODES: readonly OverheadMode[] = ['redis-denylist'];

/** What suite 1 found. */
export interface OverheadResults {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  /** One entry per route of {@link OVERHEAD_ROUTES}, measured in the same interleaved rounds. */
  readonly routes: readonly OverheadRouteResult[];
  readonly outages: readonly OverheadOutage[];
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

/** Summarizes one route's runs, every ratio taken within a round. */
function routeResult(route: OverheadRoute, modes: readonly OverheadMode[], runs: ReadonlyMap<OverheadMode, readonly MeasuredRun[]>): OverheadRouteResult {
  const of = (mode: OverheadMode) => runs.get(mode) ?? [];
  const rps = (mode: OverheadMode) => of(mode).map((run) => run.requestsPerSecond);
  const cpu = (mode: OverheadMode) => of(mode).map((run) => run.cpuMsPerRequest);
  return {
    route,
    path: ROUTE_PATHS[route],
    modes: modes.map((mode) => ({
      mode,
      label: OVERHEAD_MODE_LABELS[mode],
      rounds: of(mode).map(roundOf),
      requestsPerSecond: median(rps(mode)),
      p50Ms: median(of(mode).map((run) => run.latencyMs?.p50 ?? Number.NaN)),
      p99Ms: median(of(mode).map((run) => run.latencyMs?.p99 ?? Number.NaN)),
      ratioToNoAuth: medianOfRatios(rps(mode), rps('no-auth')),
      cpuMsPerRequest: median(cpu(mode)),
      cpuRatioToNoAuth: medianOfRatios(cpu('no-auth'), cpu(mode)),
      vetoThroughputRatio: medianOfRatios(rps('veto'), rps(mode)),
      cpuRatioToVeto: medianOfRatios(cpu(mode), cpu('veto')),
    })),
    vetoVsIntrospection: medianOfRatios(rps('veto'), rps('introspection')),
    vetoVsIntrospectionCpu: medianOfRatios(cpu('introspection'), cpu('veto')),
  };
}

/**
 * Suite 1: every mode of {@link OVERHEAD_MODES} on two routes, served by one bench server process
 * (see overhead-apps.ts): the tickets read (`GET /api/tickets/:id`, a PGlite lookup) and the same
 * authentication without a database read (`GET /bench/whoami`). Loaded with autocannon from this
 * process in interleaved rounds (every mode and route once per round, the order rotating every
 * round), then on the read route with the auth service stopped, then the Redis modes with Redis
 * stopped as well.
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
      {
        ...stack.serviceEnv,
        DATA_DIR: join(stack.dataDir, 'overhead-server'),
        REDIS_URL: redis.url,
        INTROSPECTION_URL: stack.introspectionUrl,
        INTROSPECTION_CLIENT_SECRET: stack.introspectionSecret,
      },
      { nodeArgs: [...stack.nodeArgs] },
    );
    try {
      const base = (mode: OverheadMode) => `http://127.0.0.1:${server.ready.ports[mode]}`;
      const created = await request('POST', `${base('veto')}/api/tickets`, { token: user.token, body: { title: 'Bench ticket', price: 4200 } });
      if (created.status !== 201) throw new Error(`creating the ticket answered ${created.status}: ${JSON.stringify(created.body)}`);
      const paths: Record<OverheadRoute, string> = { read: `/api/tickets/${created.body.id as string}`, 'no-read': NO_READ_PATH };
      const load = (mode: OverheadMode, route: OverheadRoute, durationSeconds: number) =>
        runLoad({ url: `${base(mode)}${paths[route]}`, headers: { authorization: `Bearer ${user.token}` }, connections: options.connections, durationSeconds });
      // Every server process a request may touch is charged, so (d) pays for the auth service's work too, (e) for Redis's.
      const serverPids = [server.process.pid, stack.auth.pid, redis.pid].filter((pid): pid is number => pid !== undefined);
      const serverCpuSeconds = () => serverPids.reduce((total, pid) => total + processCpuSeconds(pid), 0);
      const measured = async (mode: OverheadMode, route: OverheadRoute, durationSeconds: number): Promise<MeasuredRun> => {
        const before = serverCpuSeconds();
        const result = await load(mode, route, durationSeconds);
        return { ...result, cpuMsPerRequest: ((serverCpuSeconds() - before) * 1000) / result.responses };
      };

      const runsOf = new Map<OverheadRoute, Map<OverheadMode, MeasuredRun[]>>(OVERHEAD_ROUTES.map((route) => [route, new Map(MODES.map((mode) => [mode, []]))]));
      const pairs = MODES.flatMap((mode) => OVERHEAD_ROUTES.map((route) => ({ mode, route })));
      for (const { mode, route } of pairs) {
        const warm = await load(mode, route, 1);
        if (warm.ok === 0) throw new Error(`mode ${mode} answered no 2xx on the ${route} route while warming up: ${JSON.stringify(warm.statusCounts)}`);
      }
      for (let round = 0; round < options.rounds; round += 1) {
        // Rotating the order keeps a run from always taking the same place in the round.
        const order = pairs.map((_, i) => pairs[(i + round) % pairs.length] as (typeof pairs)[number]);
        for (const { mode, route } of order) {
          const result = await measured(mode, route, options.durationSeconds);
          runsOf.get(route)?.get(mode)?.push(result);
          options.log(
            `overhead: round ${round + 1} ${mode} ${route}: ${formatNumber(result.requestsPerSecond)} req/s, p99 ${result.latencyMs?.p99.toFixed(2)} ms, ${result.cpuMsPerRequest.toFixed(3)} CPU ms/request, ok ${formatPercent(result.successRate)}`,
          );
        }
      }

      // Both routes pass the same gate first, so what a stopped dependency does is measured once, on the read route.
      await stack.stopAuth();
      options.log('overhead: auth service stopped');
      const outage = new Map<OverheadMode, LoadResult>();
      for (const mode of MODES) {
        const result = await load(mode, 'read', options.outageSeconds);
        outage.set(mode, result);
        options.log(`overhead: auth down, ${mode}: ${formatPercent(result.successRate)} succeeded ${JSON.stringify(result.statusCounts)}`);
      }
      await redis.stop();
      options.log('overhead: Redis stopped');
      const redisOutage = new Map<OverheadMode, LoadResult>();
      for (const mode of MODES.filter((m) => REDIS_MODES.includes(m))) {
        const result = await load(mode, 'read', options.outageSeconds);
        redisOutage.set(mode, result);
        options.log(`overhead: Redis down, ${mode}: ${formatPercent(result.successRate)} succeeded ${JSON.stringify(result.statusCounts)}`);
      }

      return {
        connections: options.connections,
        durationSeconds: options.durationSeconds,
        rounds: options.rounds,
        routes: OVERHEAD_ROUTES.map((route) => routeResult(route, MODES, runsOf.get(route) ?? new Map())),
        outages: MODES.map((mode): OverheadOutage => {
          const down = outage.get(mode);
          const redisDown = redisOutage.get(mode);
          return {
            mode,
            successRateAuthDown: down?.successRate ?? 0,
            statusCountsAuthDown: down?.statusCounts ?? {},
            ...(redisDown ? { successRateRedisDown: redisDown.successRate, statusCountsRedisDown: redisDown.statusCounts } : {}),
          };
        }),
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

/** One target of suite 1 on one route, judged; the report and the targets summary print the same. */
export interface OverheadTargetCheck {
  readonly route: OverheadRoute;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/**
 * Judges the targets of {@link OVERHEAD_TARGETS} on every measured route: (b) against (a)'s
 * throughput, and (b) against (d) raw and per CPU-second.
 *
 * @example
 * overheadTargets(results).filter((check) => !check.met);
 */
export function overheadTargets(results: Pick<OverheadResults, 'routes'>): OverheadTargetCheck[] {
  const { vetoVsNoAuth, vetoVsIntrospection } = OVERHEAD_TARGETS;
  return results.routes.flatMap((route): OverheadTargetCheck[] => {
    const vetoRatio = route.modes.find((mode) => mode.mode === 'veto')?.ratioToNoAuth ?? Number.NaN;
    const check = (target: string, measured: string, met: boolean): OverheadTargetCheck => ({
      route: route.route,
      target: `${target}, ${OVERHEAD_ROUTE_LABELS[route.route]}`,
      measured,
      met,
    });
    return [
      check(`(b) ≥ ${formatPercent(vetoVsNoAuth, 0)} of (a)'s throughput`, formatPercent(vetoRatio), vetoRatio >= vetoVsNoAuth),
      check(`(b) ≥ ${vetoVsIntrospection}× (d)`, formatRatio(route.vetoVsIntrospection), route.vetoVsIntrospection >= vetoVsIntrospection),
      check(`(b) ≥ ${vetoVsIntrospection}× (d), per CPU-second of the servers`, formatRatio(route.vetoVsIntrospectionCpu), route.vetoVsIntrospectionCpu >= vetoVsIntrospection),
    ];
  });
}

/**
 * The overhead section of docs/benchmarks.md and its chart: a table per route, (b) against each
 * mode on both routes with what a stopped dependency does, and the targets on both routes.
 *
 * @example
 * const { markdown, charts } = overheadReport(results);
 */
export function overheadReport(results: OverheadResults): { markdown: string; charts: Record<string, string> } {
  const routeTable = (route: OverheadRouteResult) =>
    markdownTable(
      ['Mode', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Throughput vs (a)', 'Server CPU per request (ms)', 'Requests per CPU-second vs (a)'],
      route.modes.map((mode) => [
        mode.label,
        formatNumber(mode.requestsPerSecond),
        formatNumber(mode.p50Ms, 2),
        formatNumber(mode.p99Ms, 2),
        formatRatio(mode.ratioToNoAuth),
        formatNumber(mode.cpuMsPerRequest, 3),
        formatRatio(mode.cpuRatioToNoAuth),
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    );
  const outages = new Map(results.outages.map((outage) => [outage.mode, outage]));
  const modes = results.routes[0]?.modes ?? [];
  const against = markdownTable(
    [
      'Mode',
      ...results.routes.flatMap((route) => [`(b) throughput ÷ this, ${OVERHEAD_ROUTE_LABELS[route.route]}`, `This CPU per request ÷ (b), ${OVERHEAD_ROUTE_LABELS[route.route]}`]),
      'Stopped dependency',
      'Success with it stopped',
      'A ban takes effect',
    ],
    modes.map(({ mode, label }) => {
      const outage = outages.get(mode);
      const redisDown = outage?.successRateRedisDown !== undefined;
      return [
        label,
        ...results.routes.flatMap((route) => {
          const result = route.modes.find((m) => m.mode === mode);
          return [formatRatio(result?.vetoThroughputRatio ?? Number.NaN), formatRatio(result?.cpuRatioToVeto ?? Number.NaN)];
        }),
        redisDown ? 'Redis' : 'auth service',
        outage === undefined
          ? '—'
          : redisDown
            ? outcome(outage.successRateRedisDown ?? 0, outage.statusCountsRedisDown ?? {})
            : outcome(outage.successRateAuthDown, outage.statusCountsAuthDown),
        OVERHEAD_MODE_REVOCATION[mode],
      ];
    }),
    ['l', ...results.routes.flatMap(() => ['r', 'r'] as const), 'l', 'r', 'l'],
  );
  const targets = markdownTable(
    ['Target', 'Measured', 'Verdict'],
    overheadTargets(results).map((check) => [check.target, check.measured, verdict(check.met)]),
  );
  const markdown = [
    `Every mode on two routes, measured in the same rounds: the ${OVERHEAD_ROUTE_LABELS.read} \`${ROUTE_PATHS.read}\` (a PGlite primary-key lookup in the tickets app) and the ${OVERHEAD_ROUTE_LABELS['no-read']} \`${ROUTE_PATHS['no-read']}\` (the same gate and \`authenticate\`, then \`{ sub }\`, no database). ${results.connections} keep-alive connections, ${results.rounds} interleaved rounds of ${results.durationSeconds} s per mode and route; medians over rounds, ratios taken within each round. Server CPU = user + system time of the bench server, the auth service and redis-server processes during the run, ÷ responses.`,
    ...results.routes.flatMap((route) => ['', `**${OVERHEAD_ROUTE_LABELS[route.route]}, \`${route.path}\`:**`, '', routeTable(route)]),
    '',
    'Veto (b) against each mode, same rounds; a stopped dependency measured on the read route (both routes pass the same gate):',
    '',
    against,
    '',
    targets,
    '',
    '![Throughput per mode and route](benchmarks/overhead.svg)',
  ].join('\n');
  const chart = renderBarChart({
    title: `Throughput per auth mode and route (${results.connections} connections)`,
    unit: 'req/s',
    series: results.routes.map((route) => OVERHEAD_ROUTE_LABELS[route.route]),
    bars: modes.flatMap(({ mode, label }) =>
      results.routes.flatMap((route, series) => {
        const result = route.modes.find((m) => m.mode === mode);
        return result === undefined ? [] : [{ label, value: result.requestsPerSecond, note: `${formatRatio(result.ratioToNoAuth)} of (a)`, series }];
      }),
    ),
  });
  return { markdown, charts: { 'overhead.svg': chart } };
}
