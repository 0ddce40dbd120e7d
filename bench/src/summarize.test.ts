import { median, medianOfRatios, quantile, summarize } from './summarize';

describe('quantile (nearest rank)', () => {
  it('returns an observed value: the smallest with at least q of the sample at or below it', () => {
    const sorted = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(quantile(sorted, 0.5)).toBe(50);
    expect(quantile(sorted, 0.95)).toBe(100);
    expect(quantile(sorted, 0.1)).toBe(10);
    expect(quantile(sorted, 1)).toBe(100);
  });

  it('takes the maximum as p99 of fewer than 100 values', () => {
    expect(quantile([1, 2, 3], 0.99)).toBe(3);
  });

  it('refuses an empty sample and quantiles outside (0, 1]', () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([1], 0)).toThrow(RangeError);
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically, not as strings, and leaves the input alone', () => {
    const values = [100, 9, 20, 1];
    const summary = summarize(values);
    expect(summary).toEqual({ count: 4, min: 1, mean: 32.5, p50: 9, p95: 100, p99: 100, max: 100 });
    expect(values).toEqual([100, 9, 20, 1]);
  });

  it('places p99 below the maximum once the sample has more than 100 values', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const summary = summarize(values);
    expect(summary.p50).toBe(500);
    expect(summary.p95).toBe(950);
    expect(summary.p99).toBe(990);
    expect(summary.max).toBe(1000);
  });

  it('refuses an empty sample', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('gives the median of interleaved rounds', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
});

describe('medianOfRatios', () => {
  it('pairs rounds before taking the median, unlike a ratio of medians', () => {
    // Medians 20 ÷ 5 would say 4; within each round the ratios are 2, 3 and 4.
    expect(medianOfRatios([10, 30, 20], [5, 10, 5])).toBe(3);
  });

  it('refuses rounds that do not pair up, and no rounds', () => {
    expect(() => medianOfRatios([1, 2], [1])).toThrow(RangeError);
    expect(() => medianOfRatios([], [])).toThrow(RangeError);
  });
});
