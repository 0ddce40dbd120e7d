/**
 * Polls a condition until it holds. The timeout only ends a hung test; no test asserts on it.
 *
 * @param what - described in the failure message
 * @param condition - checked every 10 ms
 * @param timeoutMs - default 10 s
 * @example
 * await waitFor('a failed publish', () => relay.stats.failures > 0);
 */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
