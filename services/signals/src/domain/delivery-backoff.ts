/** Bounds of the push retry schedule. */
export interface BackoffSettings {
  /** The wait after the first failure. */
  readonly baseMs: number;
  /** The longest wait. */
  readonly maxMs: number;
}

/**
 * How long to wait before the next push of a SET that failed `attempts` times: exponential
 * (`baseMs`, doubled per further failure, capped at `maxMs`) with "equal jitter": half of it
 * fixed, half random, so streams that failed together (a receiver's outage) do not retry in step,
 * and the wait never collapses to zero.
 *
 * @param attempts - failed attempts so far, at least 1
 * @param settings - base and maximum wait
 * @param random - a number in [0, 1); `Math.random` in production
 * @returns the wait in milliseconds
 * @example
 * backoffDelayMs(3, { baseMs: 1000, maxMs: 300_000 }, () => 0.5); // 3000
 */
export function backoffDelayMs(attempts: number, settings: BackoffSettings, random: () => number): number {
  const exponent = Math.min(Math.max(attempts, 1) - 1, 40);
  const ceiling = Math.min(settings.maxMs, settings.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
