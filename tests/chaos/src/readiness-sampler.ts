/** One `GET /readyz` that answered 200: the instance said ready at some moment between `sentAt` and `receivedAt`. */
export interface ReadySample {
  readonly instance: string;
  /** `performance.now()` when the request left. */
  readonly sentAt: number;
  /** `performance.now()` when the answer arrived. */
  readonly receivedAt: number;
}

/** A running sampler; `ready` grows until `stop`. */
export interface ReadinessSampler {
  /** Every sample that answered 200 (503s, errors and refused connections are "not ready" and not kept). */
  readonly ready: readonly ReadySample[];
  /** How many requests were sent, ready or not. */
  readonly sent: () => number;
  stop(): Promise<void>;
}

/**
 * Asks `GET /readyz` of every instance `instances()` returns every `intervalMs`, each
 * instance in its own loop, so a slow or dead instance does not delay the others.
 *
 * @example
 * const sampler = startReadinessSampler(() => cluster.tickets);
 * // ... faults ...
 * await sampler.stop();
 */
export function startReadinessSampler(instances: () => readonly { readonly name: string; readonly url: string }[], intervalMs = 100): ReadinessSampler {
  const ready: ReadySample[] = [];
  let sent = 0;
  let stopped = false;
  const loop = async (position: number) => {
    while (!stopped) {
      const instance = instances()[position];
      if (instance === undefined) return;
      const sentAt = performance.now();
      sent += 1;
      const status = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return response.status;
        },
        () => 0,
      );
      const receivedAt = performance.now();
      if (status === 200) ready.push({ instance: instance.name, sentAt, receivedAt });
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (receivedAt - sentAt))));
    }
  };
  const loops = instances().map((_, position) => loop(position));
  return {
    ready,
    sent: () => sent,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}
