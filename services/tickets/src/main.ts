import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEnforcementReporter } from '@veto/auth-lib';
import { connectWithRetry, ensureStreams, waitForStream } from '@veto/events';
import { installGracefulShutdown, runService } from '@veto/service-kit';
import { migrateDatabase, openDatabase } from '@veto/storage';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { MIGRATIONS_FOLDER } from './data-access/migrations-folder';
import { schema } from './data-access/schema';
import { loadVerificationKeys } from './data-access/verification-keys';
import { startSellerModerationConsumer } from './entry-points/events/seller-moderation-consumer';
import { createLogger } from './logger';
import { createTokenVerification } from './token-verification';

// Long enough for the auth service to start next to this one; after that, exiting lets a supervisor restart and report it.
const STREAM_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const openMigrated = async () => {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema, schema });
    await migrateDatabase(database, { migrationsFolder: MIGRATIONS_FOLDER });
    return database;
  };
  // Keys and database side by side: started next to the auth service, the JWKS fetch (and its
  // retries while auth is still starting) overlaps PGlite's start-up instead of coming before it.
  // A failure of either ends the start, and with it the process.
  const [keys, database] = await Promise.all([loadVerificationKeys(config, logger), openMigrated()]);
  // A short reconnect wait (default 2 s): after a NATS restart, revocations flow again within a few hundred ms.
  const nc = await connectWithRetry(
    { servers: config.natsUrl.split(','), name: 'veto-tickets', maxReconnectAttempts: -1, reconnectTimeWait: 250, user: config.natsUser, pass: config.natsPassword },
    { giveUpAfterMs: config.natsConnectTimeoutMs, logger },
  );
  if (config.manageStreams) {
    await ensureStreams(nc, { maxAgeMs: config.streamMaxAgeSeconds * 1000, replicas: config.streamReplicas });
  } else {
    await waitForStream(nc, { timeoutMs: STREAM_WAIT_MS, logger });
  }

  const { verifier, cache, feed } = createTokenVerification({ nc, keys, config, clock: systemClock, logger });
  // Created before the feed applies anything, so the replayed events are reported too.
  const reporter = createEnforcementReporter({ nc, feed, service: 'tickets', instanceId: config.instanceId, intervalMs: config.receiptIntervalMs, clock: systemClock, logger });
  const consumer = startSellerModerationConsumer({ nc, context: { db: database.db, clock: systemClock }, logger, maxDeliver: config.moderationMaxDeliver });
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const app = createApp({ database, verifier, cache, feed, clock: systemClock, logger, metricsRegistry, origins: config });

  // Listening before the feed caught up lets /readyz answer 503 (and protected routes
  // REVOCATION_NOT_READY) instead of refusing connections while the replay runs.
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, driver: database.driver }, 'tickets service listening');

  const shutdown = installGracefulShutdown({
    logger,
    server,
    // Settle the event in hand, report the instance stopped (the receipt leaves with the drain),
    // then flush and close NATS.
    steps: [
      [
        { name: 'moderation consumer', run: () => consumer.stop() },
        { name: 'revocation feed', run: () => feed.stop() },
      ],
      { name: 'enforcement receipts', run: () => reporter.stop() },
      { name: 'nats', run: () => nc.drain() },
      { name: 'database', run: () => database.close() },
    ],
  });
  // A consumer or feed that fails for good leaves the instance unable to do its job: stop it.
  for (const [name, closed] of [
    ['revocation feed', feed.closed],
    ['seller moderation consumer', consumer.closed],
  ] as const) {
    closed.catch((error: unknown) => {
      logger.fatal({ err: error }, `${name} failed`);
      void shutdown(`${name} failed`, 1);
    });
  }

  await feed.ready;
  logger.info({ applied: feed.stats.applied }, 'revocation feed caught up; ready');
}

void runService('tickets', main);
