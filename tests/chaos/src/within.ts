/**
 * Waits for `promise` at most `ms`; the timer is cleared either way, so a finished wait
 * holds no process open.
 *
 * @returns true when the promise settled in time
 * @example
 * if (!(await within(loop.confirmed(10), 20_000))) note('the loop stalled');
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
