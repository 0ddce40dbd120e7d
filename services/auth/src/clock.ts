/**
 * The current time in milliseconds since the epoch. Injected everywhere a time is
 * stored or an expiry is computed, so tests can freeze and move it.
 *
 * @example
 * const systemClock: Clock = () => Date.now();
 */
export type Clock = () => number;

/**
 * The real clock.
 *
 * @example
 * createApp({ clock: systemClock, ... });
 */
export const systemClock: Clock = () => Date.now();
