/**
 * Retries `attempt` every 250 ms until it resolves, for tests against a JetStream cluster:
 * after a server stops or starts, requests fail or time out until the cluster has elected
 * new leaders.
 *
 * @param attempt - the operation to retry; throw (or reject) to ask for another try
 * @param timeoutMs - how long to keep trying, 30 s by default
 * @returns what the first successful attempt resolved with
 * @throws the last attempt's error once `timeoutMs` has passed
 * @example
 * await eventually(() => publisher.publish(event));
 */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
