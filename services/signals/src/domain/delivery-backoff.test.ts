import { backoffDelayMs } from './delivery-backoff';

const settings = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelayMs', () => {
  it('doubles per failed attempt, half fixed and half random', () => {
    expect([1, 2, 3, 4].map((attempts) => backoffDelayMs(attempts, settings, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((attempts) => backoffDelayMs(attempts, settings, () => 0.999_999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    expect(backoffDelayMs(7, settings, () => 0.999_999)).toBe(60_000);
    expect(backoffDelayMs(1000, settings, () => 0.999_999)).toBe(60_000);
    expect(backoffDelayMs(1000, settings, () => 0)).toBe(30_000);
  });
});
