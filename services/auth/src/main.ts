import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { openDatabase } from './data-access/database';
import { connectEventBus } from './data-access/event-bus';
import { migrateDatabase } from './data-access/migrate';
import { resolveSigningKeyPems } from './data-access/signing-key-source';
import { ensureAdmin } from './domain/ensure-admin';
import { registerOutboxMetrics } from './domain/outbox-metrics';
import { startOutboxRelay } from './domain/outbox-relay';
import { createPasswordHasher } from './domain/password-hasher';
import { createSigningKeys } from './domain/signing-keys';
import { ConfigError, SigningKeyMissingError } from './errors';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const keys = createSigningKeys(resolveSigningKeyPems(config, logger));
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema });
  await migrateDatabase(database);
  const passwords = await createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism });
  if (config.adminEmail !== undefined && config.adminPassword !== undefined) {
    const outcome = await ensureAdmin({ db: database.db, clock: systemClock, passwords }, { email: config.adminEmail, password: config.adminPassword });
    logger.info({ outcome }, 'admin account from ADMIN_EMAIL ensured');
  }
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });

  // The relay starts before NATS answers: it keeps every event in the outbox until the bus is back.
  let stop: (reason: string, exitCode: number) => Promise<void> = async () => undefined;
  const relay = startOutboxRelay({
    db: database.db,
    publish: (event) => bus.publish(event),
    isAvailable: () => bus.isAvailable(),
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
    onAvailable: () => relay.retryNow(),
    onFatal: (error) => {
      logger.fatal({ err: error }, 'cannot connect to NATS');
      void stop('nats connection failed', 1);
    },
  });
  const app = createApp({ config, database, clock: systemClock, keys, passwords, logger, metricsRegistry, onEventsRecorded: relay.wake });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, kid: keys.kid, driver: database.driver, env: config.env }, 'auth service listening');

  let stopping = false;
  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    let code = exitCode;
    // Every step runs even when an earlier one fails; each failure is logged and turns the exit code to 1.
    const step = async (name: string, run: () => Promise<unknown>): Promise<void> => {
      try {
        await run();
      } catch (error) {
        logger.error({ err: error, step: name }, 'shutdown step failed');
        code = 1;
      }
    };
    await step('http server', async () => {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      await closed;
    });
    // Events still pending stay in the outbox: the next start (or another instance) publishes them.
    await step('outbox relay', () => relay.stop());
    await step('nats', () => bus.close());
    await step('database', () => database.close());
    logger.info('stopped');
    process.exit(code);
  };
  stop = shutdown;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal, 0));
  }
  // An error nobody handled leaves the process in an unknown state: log it and stop cleanly.
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof SigningKeyMissingError) {
    process.stderr.write(`auth: configuration error (${error.variable}): ${error.message}\n`);
  } else {
    process.stderr.write(`auth: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
