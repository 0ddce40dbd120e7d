import { targetsSummary, type LatestResults } from './targets-summary';

const summary = (p99: number) => ({ count: 1, min: p99, mean: p99, p50: p99, p95: p99, p99, max: p99 });

describe('targetsSummary', () => {
  it('lists suites not run yet', () => {
    const table = targetsSummary({});
    expect(table.split('\n')).toHaveLength(6);
    expect(table).toContain('| 3. replay | — | not run yet | — | — |');
  });

  it('judges each target from the results, slowest replay size and largest cache', () => {
    const latest: LatestResults = {
      replay: {
        finishedAt: '2026-11-25T09:30:00.000Z',
        rounds: 1,
        sizes: [
          { events: 10, publishSeconds: 0, runs: [], eventsPerSecond: 90_000, bytesPerEntry: 900 },
          { events: 1000, publishSeconds: 0, runs: [], eventsPerSecond: 150_000, bytesPerEntry: 120 },
        ],
      },
      propagation: {
        finishedAt: '2026-11-25T09:31:00.000Z',
        bans: 1,
        instances: 1,
        applyMs: summary(3),
        probeMs: summary(7),
        transactionMs: summary(1),
        toBusMs: summary(1),
        busToApplyMs: summary(1),
        banRequestMs: summary(1),
        commitToSentMs: summary(0.5),
        sentToBusMs: summary(0.5),
        tail: {
          slow: 0,
          total: 1,
          authPaused: 0,
          instancePaused: 0,
          gcPaused: 0,
          unexplained: 0,
          slowCommitToSentMs: Number.NaN,
          slowSentToBusMs: Number.NaN,
          slowBusToApplyMs: Number.NaN,
        },
        loops: [],
        perInstance: [],
        samples: { applyMs: [3], probeMs: [7] },
      },
    };
    const table = targetsSummary(latest);
    expect(table).toContain('| 3. replay | ≥ 100,000 events/s (slowest size) | 90,000 events/s | **missed** | 2026-11-25 09:30 |');
    expect(table).toContain('| 3. replay | ≤ 256 bytes per entry (1,000 entries) | 120 B | met |');
    expect(table).toContain('| 2. propagation | p99 ≤ 5 ms, instance apply | 3.00 ms | met |');
    expect(table).toContain('| 2. propagation | p99 ≤ 5 ms, client probe | 7.00 ms | **missed** |');
  });

  it('lists the overhead targets of every route measured', () => {
    const route = (name: 'read' | 'no-read', vetoVsNoAuth: number, vetoVsIntrospection: number, vetoVsIntrospectionCpu: number) => ({
      route: name,
      path: name === 'read' ? 'GET /api/tickets/:id' : 'GET /bench/whoami',
      modes: [
        {
          mode: 'veto' as const,
          label: '(b)',
          rounds: [],
          requestsPerSecond: 0,
          p50Ms: 0,
          p99Ms: 0,
          ratioToNoAuth: vetoVsNoAuth,
          cpuMsPerRequest: 0,
          cpuRatioToNoAuth: 0,
          vetoThroughputRatio: 1,
          cpuRatioToVeto: 1,
        },
      ],
      vetoVsIntrospection,
      vetoVsIntrospectionCpu,
    });
    const table = targetsSummary({
      overhead: {
        finishedAt: '2026-12-02T03:00:00.000Z',
        connections: 10,
        durationSeconds: 3,
        rounds: 5,
        routes: [route('read', 0.95, 2, 3.1), route('no-read', 0.96, 5.5, 11)],
        outages: [],
      },
    });
    expect(table).toContain('| 1. overhead | (b) ≥ 3× (d), read route | 2.00× | **missed** | 2026-12-02 03:00 |');
    expect(table).toContain('| 1. overhead | (b) ≥ 3× (d), no-read route | 5.50× | met |');
    expect(table).toContain("| 1. overhead | (b) ≥ 90% of (a)'s throughput, no-read route | 96.0% | met |");
    expect(table.split('\n').filter((line) => line.startsWith('| 1. overhead'))).toHaveLength(6);
  });
});
