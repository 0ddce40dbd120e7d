import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { installGracefulShutdown, runService, type Shutdown } from '@veto/service-kit';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { openDatabase } from './data-access/database';
import { connectEventBus } from './data-access/event-bus';
import { migrateDatabase } from './data-access/migrate';
import { resolveSigningKeyPems } from './data-access/signing-key-source';
import { registerEnforcementMetrics } from './domain/enforcement-metrics';
import { ensureAdmin } from './domain/ensure-admin';
import { createFleetView } from './domain/fleet-view';
import { registerOutboxMetrics } from './domain/outbox-metrics';
import { startOutboxRelay } from './domain/outbox-relay';
import { createPasswordHasher } from './domain/password-hasher';
import { createSigningKeys } from './domain/signing-keys';
import { subscribeReceipts } from './entry-points/events/receipts-subscriber';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const keys = createSigningKeys(resolveSigningKeyPems(config, logger));
  const openMigrated = async () => {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema });
    await migrateDatabase(database);
    return database;
  };
  // The hasher's start-up hash runs on libuv's thread pool: side by side with the database's
  // start-up on the main thread, it adds nothing to the time before the service listens.
  const [database, passwords] = await Promise.all([
    openMigrated(),
    createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism }),
  ]);
  if (config.adminEmail !== undefined && config.adminPassword !== undefined) {
    const outcome = await ensureAdmin({ db: database.db, clock: systemClock, passwords }, { email: config.adminEmail, password: config.adminPassword });
    logger.info({ outcome }, 'admin account from ADMIN_EMAIL ensured');
  }
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });

  // The relay starts before NATS answers: it keeps every event in the outbox until the bus is back.
  let stop: Shutdown = async () => undefined;
  const relay = startOutboxRelay({
    db: database.db,
    publish: (event) => bus.publish(event),
    isAvailable: () => bus.isAvailable(),
    streamHolds: (anchor) => bus.holds(anchor),
    retentionMs: (config.accessTokenTtlSeconds + config.outboxRetentionMarginSeconds) * 1000,
    streamMaxAgeMs: config.streamMaxAgeSeconds * 1000,
    clock: systemClock,
    logger,
    metrics: registerOutboxMetrics(metricsRegistry, database.db),
    pollIntervalMs: config.outboxPollIntervalMs,
  });
  const bus = connectEventBus({
    servers: config.natsUrl.split(','),
    user: config.natsUser,
    password: config.natsPassword,
    stream: { maxAgeMs: config.streamMaxAgeSeconds * 1000, replicas: config.streamReplicas },
    logger,
    // Every (re)connection: check that the stream still holds what was published before publishing more.
    onAvailable: () => relay.resync(),
    onFatal: (error) => {
      logger.fatal({ err: error }, 'cannot connect to NATS');
      void stop('nats connection failed', 1);
    },
  });
  const fleet = createFleetView({ clock: systemClock });
  const enforcementMetrics = registerEnforcementMetrics(metricsRegistry, {
    db: database.db,
    fleet,
    clock: systemClock,
    behindAfterSeconds: config.enforcementBehindAfterSeconds,
  });
  // Subscribes once the bus connects, however late; the client renews it after every reconnect.
  const receipts = subscribeReceipts({ bus, fleet, metrics: enforcementMetrics, logger });
  const app = createApp({ config, database, clock: systemClock, keys, passwords, logger, metricsRegistry, fleet, onEventsRecorded: relay.wake });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, kid: keys.kid, driver: database.driver, env: config.env }, 'auth service listening');

  stop = installGracefulShutdown({
    logger,
    server,
    // Events still pending stay in the outbox: the next start (or another instance) publishes them.
    steps: [
      { name: 'outbox relay', run: () => relay.stop() },
      { name: 'receipts', run: () => receipts.stop() },
      { name: 'nats', run: () => bus.close() },
      { name: 'database', run: () => database.close() },
    ],
  });
}

void runService('auth', main);
