/** A clock tests set and move by hand: call it for the time in ms since the epoch. */
export interface TestClock {
  (): number;
  /** Sets the time: ms since the epoch, or an ISO-8601 string. */
  set(at: number | string): void;
  /** Moves the time forward (or back, when negative) by `ms`. */
  advance(ms: number): void;
}

function toMs(at: number | string): number {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (!Number.isFinite(ms)) throw new TypeError(`a test clock needs ms since the epoch or an ISO-8601 time, got ${JSON.stringify(at)}`);
  return ms;
}

/**
 * A frozen clock for `RevocationCache`, `createRevocationFeed` and `createVerifier` (their `clock`
 * option). Replaying a recorded stream needs one set to the recording's time: the feed then
 * replays the whole stream, and each event expires when it did in production.
 *
 * @param start - the initial time, ms or ISO-8601; 2026-01-15T10:00:00.123Z by default
 * @throws TypeError when `start` (or a later `set`) is not a time
 * @example
 * const clock = createTestClock('2026-01-15T12:00:00.000Z');
 * const cache = new RevocationCache({ accessTokenTtlSeconds: 900, clock });
 * clock.advance(60_000);
 */
export function createTestClock(start: number | string = Date.UTC(2026, 0, 15, 10, 0, 0, 123)): TestClock {
  let now = toMs(start);
  const clock = (() => now) as TestClock;
  clock.set = (at) => {
    now = toMs(at);
  };
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}
