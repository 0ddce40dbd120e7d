import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEnforcementReceipt, receiptSubject, type NatsConnection } from '@veto/events';
import { connectTo, startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import pino from 'pino';
import { waitFor } from '@veto/test-kit';
import type { EventBus } from '../../data-access/event-bus';
import type { EnforcementMetrics } from '../../domain/enforcement-metrics';
import { createFleetView, type FleetView } from '../../domain/fleet-view';
import { createTestClock } from '../../test-support/test-app';
import { connectTestBus } from '../../test-support/test-bus';
import { testReceipt } from '../../test-support/test-receipt';
import { subscribeReceipts, type ReceiptsSubscriber } from './receipts-subscriber';

// The subscription against a real nats-server that is down when auth starts, restarted under it,
// or refuses the subscription: the fleet view must fill once the server answers, and keep filling.
const silent = pino({ level: 'silent' });
const buses: EventBus[] = [];
const subscribers: ReceiptsSubscriber[] = [];
const noMetrics: EnforcementMetrics = { receipt: () => undefined };

afterEach(async () => {
  await Promise.all(subscribers.splice(0).map((subscriber) => subscriber.stop()));
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

function start(servers: string, logger = silent, credentials: { user?: string; password?: string } = {}): { fleet: FleetView } {
  const fleet = createFleetView({ clock: createTestClock() });
  const bus = connectTestBus(servers, { ...credentials, logger });
  buses.push(bus);
  subscribers.push(subscribeReceipts({ bus, fleet, metrics: noMetrics, logger }));
  return { fleet };
}

/** Publishes the receipt until the fleet view shows it: the subscription may not be in place yet. */
async function publishUntilSeen(nc: NatsConnection, fleet: FleetView, instanceId: string): Promise<void> {
  await waitFor(
    `${instanceId} in the fleet view`,
    async () => {
      // The test's own connection may still be reconnecting after a restart: publishing then is simply tried again.
      await Promise.resolve()
        .then(() => nc.publish(receiptSubject('tickets'), encodeEnforcementReceipt(testReceipt(instanceId, { intervalMs: 60_000 }))))
        .then(() => nc.flush())
        .catch(() => undefined);
      return fleet.liveInstances().some((instance) => instance.instanceId === instanceId);
    },
    20_000,
  );
}

describe('subscribeReceipts', () => {
  let nats: NatsServerHandle;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(() => nats.cleanup());

  it('starts once NATS answers, however late, and keeps receiving after NATS restarts', async () => {
    await nats.stop();
    const { fleet } = start(nats.url);
    await nats.restart();
    const nc = await connectTo(nats);
    try {
      await publishUntilSeen(nc, fleet, 'before-restart');
      await nats.restart();
      await publishUntilSeen(nc, fleet, 'after-restart');
    } finally {
      await nc.close();
    }
  });

  it('ends at once when stopped before NATS ever answered', async () => {
    await nats.stop();
    const fleet = createFleetView({ clock: createTestClock() });
    const bus = connectTestBus(nats.url);
    buses.push(bus);
    const subscriber = subscribeReceipts({ bus, fleet, metrics: noMetrics, logger: silent });
    await subscriber.stop();
    await expect(subscriber.done).resolves.toBeUndefined();
    await nats.restart();
  });
});

describe('subscribeReceipts refused by the server', () => {
  let dir: string;
  let nats: NatsServerHandle;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'veto-auth-receipts-'));
    const configFile = join(dir, 'nats.conf');
    await writeFile(configFile, 'authorization { users: [ { user: auth, password: auth-pw, permissions: { subscribe: { deny: "veto.receipts.>" } } } ] }\n');
    nats = await startNatsServer({ configFile });
  });
  afterAll(async () => {
    await nats.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('logs the refusal as an error and ends, without throwing', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    start(nats.url, logger, { user: 'auth', password: 'auth-pw' });
    await subscribers[0]!.done;
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'the receipt subscription was refused; the fleet view stays empty' }));
  });
});
