import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls a condition until it holds: for state that changes in another component (a consumer
 * committing, a feed applying) with no event to await. Gives up after `timeoutMs` with the
 * description, so a test that waits in vain fails instead of hanging.
 *
 * @param description - what is awaited, for the failure message
 * @param condition - sync or async check
 * @param timeoutMs - default 10 s
 * @throws Error when the condition does not hold in time
 * @example
 * await waitFor('the ban to be applied', async () => (await listedCount()) === 0);
 */
export async function waitFor(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${description}`);
    await delay(5);
  }
}
