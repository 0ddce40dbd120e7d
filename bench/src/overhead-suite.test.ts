import { OVERHEAD_MODES, type OverheadMode } from './overhead-modes';
import { overheadReport, overheadTargets, type OverheadModeResult, type OverheadOutage, type OverheadResults, type OverheadRouteResult } from './overhead-suite';

/** A route where each mode serves `rps[mode]` requests per second at `cpu[mode]` ms of CPU each. */
function route(name: OverheadRouteResult['route'], path: string, rps: Record<OverheadMode, number>, cpu: Record<OverheadMode, number>): OverheadRouteResult {
  const modes = OVERHEAD_MODES.map((mode): OverheadModeResult => ({
    mode,
    label: `(${mode})`,
    rounds: [],
    requestsPerSecond: rps[mode],
    p50Ms: 1,
    p99Ms: 2,
    ratioToNoAuth: rps[mode] / rps['no-auth'],
    cpuMsPerRequest: cpu[mode],
    cpuRatioToNoAuth: cpu['no-auth'] / cpu[mode],
    vetoThroughputRatio: rps.veto / rps[mode],
    cpuRatioToVeto: cpu[mode] / cpu.veto,
  }));
  return { route: name, path, modes, vetoVsIntrospection: rps.veto / rps.introspection, vetoVsIntrospectionCpu: cpu.introspection / cpu.veto };
}

const each = (values: number[]) => Object.fromEntries(OVERHEAD_MODES.map((mode, i) => [mode, values[i] as number])) as Record<OverheadMode, number>;

// The read route's own cost bounds (b) ÷ (d); without the read the ratio opens up.
const results: OverheadResults = {
  connections: 10,
  durationSeconds: 3,
  rounds: 5,
  routes: [
    route('read', 'GET /api/tickets/:id', each([900, 860, 530, 430, 550, 610]), each([1.2, 1.2, 2, 3.8, 1.9, 1.7])),
    route('no-read', 'GET /bench/whoami', each([4000, 3800, 1200, 700, 1100, 1300]), each([0.25, 0.26, 0.8, 2.9, 0.9, 0.7])),
  ],
  outages: OVERHEAD_MODES.map((mode): OverheadOutage => {
    if (mode === 'redis-denylist') return { mode, successRateAuthDown: 1, statusCountsAuthDown: { 200: 10 }, successRateRedisDown: 0, statusCountsRedisDown: { 503: 10 } };
    return mode === 'introspection' ? { mode, successRateAuthDown: 0, statusCountsAuthDown: { 503: 10 } } : { mode, successRateAuthDown: 1, statusCountsAuthDown: { 200: 10 } };
  }),
};

describe('overheadTargets', () => {
  it('judges the three targets on each route separately', () => {
    expect(overheadTargets(results).map(({ route, measured, met }) => [route, measured, met])).toEqual([
      ['read', '95.6%', true],
      ['read', '2.00×', false],
      ['read', '3.17×', true],
      ['no-read', '95.0%', true],
      ['no-read', '5.43×', true],
      ['no-read', '11.15×', true],
    ]);
    expect(overheadTargets(results)[4]?.target).toBe('(b) ≥ 3× (d), no-read route');
  });
});

describe('overheadReport', () => {
  const { markdown, charts } = overheadReport(results);

  it('prints a table per route, in route order, with the route in its heading', () => {
    const read = markdown.indexOf('**read route, `GET /api/tickets/:id`:**');
    const noRead = markdown.indexOf('**no-read route, `GET /bench/whoami`:**');
    expect(read).toBeGreaterThan(-1);
    expect(noRead).toBeGreaterThan(read);
    expect(markdown.slice(noRead)).toContain('| (no-auth) | 4,000 | 1.00 | 2.00 | 1.00× | 0.250 | 1.00× |');
  });

  it('sets (b) against each mode on both routes, with the outage measured once', () => {
    expect(markdown).toContain(
      '| Mode | (b) throughput ÷ this, read route | This CPU per request ÷ (b), read route | (b) throughput ÷ this, no-read route | This CPU per request ÷ (b), no-read route |',
    );
    expect(markdown).toContain('| (introspection) | 2.00× | 3.17× | 5.43× | 11.15× | auth service | 0.0% (503) | next request |');
    expect(markdown).toContain('| (redis-denylist) | 1.56× | 1.58× | 3.45× | 3.46× | Redis | 0.0% (503) | next request |');
  });

  it('lists the targets of both routes and draws both routes per mode in one chart', () => {
    expect(markdown).toContain('| (b) ≥ 3× (d), read route | 2.00× | **missed** |');
    expect(markdown).toContain('| (b) ≥ 3× (d), per CPU-second of the servers, no-read route | 11.15× | met |');
    const svg = charts['overhead.svg'] as string;
    expect(svg.match(/height="22"/g)).toHaveLength(2 * OVERHEAD_MODES.length);
    expect(svg).toContain('>no-read route</text>');
  });
});
