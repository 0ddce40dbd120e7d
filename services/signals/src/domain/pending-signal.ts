/**
 * Wakes whoever waits for a stream's next SET: the push worker and long polls. Written SETs
 * are in the database, so a missed signal delays a delivery, never loses one: waiters also wake
 * on their own timeout and read the database again. In-process only: one instance of the signals
 * service delivers (docs/shared-signals.md says why).
 */
export class PendingSignal {
  readonly #waiters = new Map<string, Set<() => void>>();

  /**
   * Wakes every waiter of the stream.
   *
   * @param streamId - the stream that has new SETs
   * @example
   * signal.notify(stream.id);
   */
  notify(streamId: string): void {
    const waiters = this.#waiters.get(streamId);
    if (waiters === undefined) return;
    this.#waiters.delete(streamId);
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the stream's next {@link notify}, after `timeoutMs`, or when `signal` aborts,
   * whichever comes first.
   *
   * @param streamId - the stream to wait for
   * @param timeoutMs - the longest wait
   * @param signal - ends the wait early (a closed request, a stopping service)
   * @returns `true` when notified, `false` on timeout or abort
   * @example
   * if (!(await pending.wait(stream.id, 30_000, abort.signal))) return emptyResponse();
   */
  wait(streamId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted === true) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(streamId) ?? new Set<() => void>();
      this.#waiters.set(streamId, waiters);
      const done = (notified: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', aborted);
        waiters.delete(wake);
        if (waiters.size === 0 && this.#waiters.get(streamId) === waiters) this.#waiters.delete(streamId);
        resolve(notified);
      };
      const wake = () => done(true);
      const aborted = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', aborted, { once: true });
      waiters.add(wake);
    });
  }
}
