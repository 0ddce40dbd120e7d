/** Drains an async iterable in the background so a test can await "n items have arrived". */
export interface Collector<T> {
  readonly items: T[];
  /** Resolves with the items once at least `count` have arrived; rejects if the iteration ends or throws first. */
  waitFor(count: number): Promise<T[]>;
  /** Settles when the iteration ends. */
  readonly done: Promise<void>;
}

/** Starts iterating `source`; `onItem` runs inside the loop body, before the item counts as arrived. */
export function collect<T>(source: AsyncIterable<T>, onItem?: (item: T) => void): Collector<T> {
  const items: T[] = [];
  const waiters: { count: number; resolve: (items: T[]) => void; reject: (error: unknown) => void }[] = [];
  let ended: { error?: unknown } | undefined;
  const settleWaiters = (): void => {
    for (const waiter of [...waiters]) {
      if (items.length >= waiter.count) waiter.resolve([...items]);
      else if (ended) waiter.reject(ended.error ?? new Error(`iteration ended after ${items.length} of ${waiter.count} items`));
      else continue;
      waiters.splice(waiters.indexOf(waiter), 1);
    }
  };
  const done = (async () => {
    try {
      for await (const item of source) {
        onItem?.(item);
        items.push(item);
        settleWaiters();
      }
      ended = {};
    } catch (error) {
      ended = { error };
    }
    settleWaiters();
  })();
  return {
    items,
    done,
    waitFor(count) {
      return new Promise((resolve, reject) => {
        waiters.push({ count, resolve, reject });
        settleWaiters();
      });
    },
  };
}
