import { signalsReport, ticketsReference, type SignalsResults } from './signals-suite';
import { summarize } from './summarize';

const summary = (values: number[]) => summarize(values);

const results: SignalsResults = {
  pushBans: 3,
  pollBans: 2,
  pushResponseToReceivedMs: summary([1, 2, 3]),
  pushCommitToReceivedMs: summary([2, 3, 4]),
  commitToStoredMs: summary([1, 1, 2]),
  storedToReceivedMs: summary([1, 2, 2]),
  banRequestMs: summary([5, 6, 7]),
  pollResponseToAnswerMs: summary([4, 5]),
  pollCommitToAnswerMs: summary([6, 7]),
  verifiedSets: 8,
  loadAverage: { start: [1.5, 1, 0.5], end: [2, 1.25, 0.5] },
  tickets: undefined,
  samples: { pushResponseToReceivedMs: [1, 2, 3], pushCommitToReceivedMs: [2, 3, 4], pollResponseToAnswerMs: [4, 5] },
};

describe('ticketsReference', () => {
  it("picks suite 2's figures out of its results file", () => {
    const json = { suite: 'propagation', finishedAt: '2026-12-02T16:14:00.000Z', bans: 500, instances: 3, applyMs: summary([1]), probeMs: summary([2]), tail: {} };
    expect(ticketsReference(json)).toEqual({ finishedAt: json.finishedAt, bans: 500, instances: 3, applyMs: json.applyMs, probeMs: json.probeMs });
  });

  it('gives nothing for a file without them', () => {
    expect(ticketsReference(null)).toBeUndefined();
    expect(ticketsReference({ finishedAt: 'x', bans: 1, instances: 1, applyMs: {} })).toBeUndefined();
  });
});

describe('signalsReport', () => {
  it('renders every measure, the load average and the chart', () => {
    const { markdown, charts } = signalsReport(results);
    expect(markdown).toContain('| push (RFC 8935): ban response read → SET received (3 bans) | 2.00 | 3.00 | 3.00 | 3.00 |');
    expect(markdown).toContain('| poll: ban commit → the waiting long poll answered | 6.00 | 7.00 | 7.00 | 7.00 |');
    expect(markdown).toContain('1.50 / 1.00 / 0.50 when the bans started, 2.00 / 1.25 / 0.50 when they ended');
    expect(markdown).toContain('no results file to compare with');
    expect(Object.keys(charts)).toEqual(['signals.svg']);
  });

  it('quotes the tickets path with its date when there is one', () => {
    const tickets = { finishedAt: '2026-12-02T16:14:31.000Z', bans: 500, instances: 3, applyMs: summary([3]), probeMs: summary([8]) };
    const { markdown } = signalsReport({ ...results, tickets });
    expect(markdown).toContain("suite 2's latest results (2026-12-02 16:14 UTC, 500 bans × 3 instances");
    expect(markdown).toContain('| ban commit → instance applied | 3.00 | 3.00 | 3.00 | 3.00 |');
  });
});
