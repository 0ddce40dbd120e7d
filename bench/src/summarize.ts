/** Order statistics of a sample, in the sample's unit. */
export interface Summary {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * The value at quantile `q` of an ascending sample, by the nearest-rank method: the smallest
 * value with at least `q` of the sample at or below it, so every reported value was observed.
 *
 * @param sorted - ascending, non-empty
 * @param q - in (0, 1]
 * @throws RangeError for an empty sample or a quantile outside (0, 1]
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('quantile of an empty sample');
  if (!(q > 0 && q <= 1)) throw new RangeError('quantile must be in (0, 1]');
  const rank = Math.ceil(q * sorted.length);
  return sorted[rank - 1] as number;
}

/**
 * Summarizes a sample: count, min, mean, p50, p95, p99, max.
 *
 * @param values - any order; not modified
 * @throws RangeError for an empty sample
 * @example
 * summarize([3, 1, 2]).p50; // 2
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('summary of an empty sample');
  const sorted = Float64Array.from(values).sort();
  const list = Array.from(sorted);
  let total = 0;
  for (const value of list) total += value;
  return {
    count: list.length,
    min: list[0] as number,
    mean: total / list.length,
    p50: quantile(list, 0.5),
    p95: quantile(list, 0.95),
    p99: quantile(list, 0.99),
    max: list[list.length - 1] as number,
  };
}

/**
 * The median of a sample; used to pick the representative of interleaved rounds.
 *
 * @throws RangeError for an empty sample
 * @example
 * median([5, 1, 3]); // 3
 */
export function median(values: readonly number[]): number {
  return summarize(values).p50;
}

/**
 * The median over rounds of `numerators[i] / denominators[i]`: a ratio taken within each round,
 * so a round slowed by the machine as a whole does not count against one side only.
 *
 * @param numerators - one value per round
 * @param denominators - one value per round, the same rounds
 * @throws RangeError when the rounds are missing or do not pair up
 * @example
 * medianOfRatios([10, 30, 20], [5, 10, 5]); // 3
 */
export function medianOfRatios(numerators: readonly number[], denominators: readonly number[]): number {
  if (numerators.length !== denominators.length) throw new RangeError(`${numerators.length} numerators for ${denominators.length} denominators`);
  return median(numerators.map((value, i) => value / (denominators[i] as number)));
}
