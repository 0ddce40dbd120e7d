// Suite 4's ban source, run as its own process so publishing does not share the load
// generator's event loop. IPC protocol: it sends `{ ready: true }`; then for every
// `{ start: rate }` it publishes `user.banned` events (random users) at `rate` per second through
// `EventPublisher` (each acknowledged by JetStream, several in flight) until `{ stop: true }`, and
// answers `{ published, seconds }`.
import { randomUUID } from 'node:crypto';
import { connect, createEvent, EventPublisher } from '@veto/events';

/** Publishing is topped up to the schedule this often. */
const TICK_MS = 5;

async function main(): Promise<void> {
  const natsUrl = process.env.NATS_URL;
  if (natsUrl === undefined) throw new Error('storm publisher: NATS_URL is not set');
  const nc = await connect({ servers: natsUrl });
  const publisher = new EventPublisher(nc);
  let timer: NodeJS.Timeout | undefined;
  let published = 0;
  let startedAt = 0;
  let inFlight = new Set<Promise<unknown>>();

  process.on('message', (message: { start?: number; stop?: boolean; exit?: boolean }) => {
    if (message.start !== undefined) {
      const rate = message.start;
      published = 0;
      startedAt = performance.now();
      timer = setInterval(() => {
        const due = Math.floor(((performance.now() - startedAt) / 1000) * rate) - published;
        for (let i = 0; i < due; i += 1) {
          const now = new Date();
          const event = createEvent('user.banned', { userId: randomUUID(), reason: 'bench storm', revokedAt: now.toISOString() }, { source: 'auth', occurredAt: now });
          const publish = publisher.publish(event).finally(() => inFlight.delete(publish));
          inFlight.add(publish);
          published += 1;
        }
      }, TICK_MS);
    } else if (message.stop === true) {
      clearInterval(timer);
      const seconds = (performance.now() - startedAt) / 1000;
      const pending = [...inFlight];
      inFlight = new Set();
      void Promise.all(pending).then(() => process.send?.({ published, seconds }));
    } else if (message.exit === true) {
      void nc.drain().then(() => process.exit(0));
    }
  });
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`storm publisher failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
