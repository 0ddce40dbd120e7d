import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls a condition until it holds: for state that changes in another component (a consumer
 * committing, a relay retrying) with no event to await. The timeout only ends a test that waits
 * in vain, with the description, instead of letting it hang; no test asserts on it.
 *
 * @param description - what is awaited, for the failure message
 * @param condition - sync or async check, polled every 10 ms
 * @param timeoutMs - default 10 s
 * @throws Error `timed out waiting for <description>` when the condition does not hold in time
 * @example
 * await waitFor('a failed publish', () => relay.stats.failures > 0);
 */
export async function waitFor(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await delay(10);
  }
}
