/** A promise with its resolve and reject exposed, settled at most once. */
export interface Settle<T> {
  readonly promise: Promise<T>;
  readonly settled: boolean;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/**
 * Creates a {@link Settle}. Its promise is marked as handled so that a rejection nobody awaits
 * (a `caughtUp` of a subscription that is only iterated) does not crash the process; whoever
 * awaits it still receives the error, and subscriptions log it before rejecting.
 *
 * @example
 * const ready = settle<void>();
 * ready.resolve();
 */
export function settle<T>(): Settle<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  let settled = false;
  return {
    promise,
    get settled() {
      return settled;
    },
    resolve(value) {
      if (settled) return;
      settled = true;
      resolve(value);
    },
    reject(error) {
      if (settled) return;
      settled = true;
      reject(error);
    },
  };
}
