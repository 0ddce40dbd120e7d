/**
 * Waits `ms`, or less when `signal` aborts first; never rejects.
 *
 * @param ms - how long to wait
 * @param signal - ends the wait early when aborted
 * @example
 * await delay(RECREATE_BACKOFF_MS[attempt], this.#stopping.signal);
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    if (signal?.aborted) done();
    else signal?.addEventListener('abort', done, { once: true });
  });
}
