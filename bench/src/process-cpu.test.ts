import { cpuTicksFromStat, processCpuSeconds } from './process-cpu';

describe('cpuTicksFromStat', () => {
  it('adds utime and stime, counting fields after the parenthesised command name', () => {
    const stat = '4242 (node --import (x) y) S 1 4242 4242 0 -1 4194560 8000 0 0 0 130 25 0 0 20 0 11 0 100 0 0';
    expect(cpuTicksFromStat(stat)).toBe(155);
  });

  it('refuses text that is not a stat line', () => {
    expect(() => cpuTicksFromStat('nothing here')).toThrow(RangeError);
  });
});

describe('processCpuSeconds', () => {
  it('reads a running process, never less than before', () => {
    const before = processCpuSeconds(process.pid);
    let spin = 0;
    for (let i = 0; i < 1e6; i += 1) spin += i;
    expect(spin).toBeGreaterThan(0);
    expect(processCpuSeconds(process.pid)).toBeGreaterThanOrEqual(before);
  });
});
