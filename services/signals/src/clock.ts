/**
 * The current time in milliseconds since the epoch. Injected everywhere a time is stored,
 * so tests can freeze and move it.
 *
 * @example
 * const frozen: Clock = () => Date.UTC(2026, 0, 15);
 */
export type Clock = () => number;

/**
 * The real clock.
 *
 * @example
 * createApp({ clock: systemClock, ... });
 */
export const systemClock: Clock = () => Date.now();
