import { loopProbeRecords, pausedWithin } from './loop-probe-records';

describe('loopProbeRecords', () => {
  it('keeps the probe lines and skips everything else', () => {
    const output = [
      '{"level":30,"msg":"tickets service listening"}',
      '{"msg":"loop probe","kind":"gc","from":10.5,"to":12,"gc":1}',
      '{"msg":"loop probe","kind":"stall","from":20,"to":25}',
      '{"msg":"loop probe","kind":"delay","at":1000,"p50":1.1,"p99":3,"max":9}',
      '{"msg":"loop probe","kind":"stall","from":"x","to":25}',
      'not json "loop probe"',
    ].join('\n');
    expect(loopProbeRecords(output)).toEqual({
      pauses: [
        { kind: 'gc', from: 10.5, to: 12 },
        { kind: 'stall', from: 20, to: 25 },
      ],
      delays: [{ at: 1000, p50: 1.1, p99: 3, max: 9 }],
    });
  });
});

describe('pausedWithin', () => {
  const pauses = [
    { kind: 'stall' as const, from: 0, to: 4 },
    { kind: 'stall' as const, from: 3, to: 6 },
    { kind: 'gc' as const, from: 5, to: 7 },
    { kind: 'stall' as const, from: 9, to: 12 },
  ];

  it('counts only the part inside the window, and overlapping pauses once', () => {
    expect(pausedWithin(pauses, 'stall', 2, 10)).toBe(5);
  });

  it('counts one kind at a time', () => {
    expect(pausedWithin(pauses, 'gc', 0, 100)).toBe(2);
  });

  it('is 0 when nothing overlaps', () => {
    expect(pausedWithin(pauses, 'stall', 6, 9)).toBe(0);
  });
});
