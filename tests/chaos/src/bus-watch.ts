import type { NatsConnection } from '@veto/events';
import { connectTo, type NatsServerHandle } from '@veto/events/testing';

/** When each event first crossed the bus, as a plain NATS subscriber on the stream's subjects saw it. */
export interface BusWatch {
  /** `performance.now()` when the event with this id was first seen published; undefined until then. */
  seenAt(eventId: string): number | undefined;
  stop(): Promise<void>;
}

/**
 * Subscribes to `auth.>` on the test server (no JetStream: it sees what the relay publishes, as
 * it is acknowledged) and remembers when each event id first went by. Readiness can only be
 * asked to vouch for what reached the bus: a ban still in a crashed auth's outbox is not on
 * the stream yet, and no consumer can know of it. The client resubscribes after a restart.
 *
 * @example
 * const bus = await watchBus(cluster.nats);
 * bus.seenAt(eventId);
 */
export async function watchBus(server: NatsServerHandle, subject = 'auth.>'): Promise<BusWatch> {
  const nc: NatsConnection = await connectTo(server, { name: 'chaos-bus-watch' });
  const seen = new Map<string, number>();
  const subscription = nc.subscribe(subject, {
    callback: (error, msg) => {
      if (error !== null) return;
      const at = performance.now();
      try {
        const { id } = JSON.parse(new TextDecoder().decode(msg.data)) as { id?: unknown };
        if (typeof id === 'string' && !seen.has(id)) seen.set(id, at);
      } catch {
        // Not an event: nothing to time.
      }
    },
  });
  return {
    seenAt: (eventId) => seen.get(eventId),
    async stop() {
      subscription.unsubscribe();
      await nc.close();
    },
  };
}
