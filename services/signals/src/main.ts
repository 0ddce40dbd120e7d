import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createJwksKeyStore } from '@veto/auth-lib';
import { connectWithRetry, waitForStream } from '@veto/events';
import { installGracefulShutdown, runService } from '@veto/service-kit';
import { migrateDatabase, openDatabase } from '@veto/storage';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { countAllPending } from './data-access/delivery-repository';
import { MIGRATIONS_FOLDER } from './data-access/migrations-folder';
import { schema } from './data-access/schema';
import { loadSigningKey } from './data-access/signing-key-source';
import { createDeliveryMetrics } from './domain/delivery-metrics';
import { PendingSignal } from './domain/pending-signal';
import { startPushWorker } from './entry-points/events/push-worker';
import { consumerReadiness, startSecurityEventConsumer } from './entry-points/events/security-event-consumer';
import { createAdminAuth } from './entry-points/http/admin-auth';
import { createLogger } from './logger';

// Long enough for the auth service, which creates the stream, to start next to this one.
const STREAM_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  // Once, before listening: a bad key stops the start naming SIGNALS_PRIVATE_KEY_FILE.
  const key = loadSigningKey(config, logger);
  const openMigrated = async () => {
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema, schema });
    await migrateDatabase(database, { migrationsFolder: MIGRATIONS_FOLDER });
    return database;
  };
  // The auth service's keys (for admin tokens) and the database side by side, as tickets does:
  // ten retries at most a second apart, then the cache file of an earlier start.
  const [keys, database] = await Promise.all([
    createJwksKeyStore({ url: config.jwksUrl, timeoutMs: 2000, retries: 10, cacheFile: join(config.dataDir, 'jwks.json'), logger }),
    openMigrated(),
  ]);
  const nc = await connectWithRetry(
    { servers: config.natsUrl.split(','), name: 'veto-signals', maxReconnectAttempts: -1, reconnectTimeWait: 250, user: config.natsUser, pass: config.natsPassword },
    { giveUpAfterMs: config.natsConnectTimeoutMs, logger },
  );
  // A consume-only user: the auth service creates the stream.
  await waitForStream(nc, { timeoutMs: STREAM_WAIT_MS, logger });

  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const pending = new PendingSignal();
  const metrics = createDeliveryMetrics(metricsRegistry, () => countAllPending(database.db));
  const adminAuth = createAdminAuth({ nc, keys, config, clock: systemClock, logger });
  const consumer = startSecurityEventConsumer({
    nc,
    pending,
    metrics,
    logger,
    context: { db: database.db, key, issuer: config.issuer, subjectIssuer: config.subjectIssuer, clock: systemClock, pausedMaxEvents: config.pausedMaxEvents },
  });
  const pushWorker = startPushWorker({
    db: database.db,
    pending,
    metrics,
    logger,
    clock: systemClock,
    fetch: globalThis.fetch,
    maxAttempts: config.pushMaxAttempts,
    backoff: { baseMs: config.pushBackoffBaseMs, maxMs: config.pushBackoffMaxMs },
    timeoutMs: config.pushTimeoutMs,
    concurrency: config.pushConcurrency,
    scanIntervalMs: config.pushScanIntervalMs,
  });
  // Long polls end when the service stops, before the HTTP server waits for open requests.
  const stopPolls = new AbortController();
  const app = createApp({
    issuer: config.issuer,
    key,
    logger,
    metricsRegistry,
    management: { db: database.db, clock: systemClock, pending, adminAuth, config },
    delivery: {
      poll: {
        db: database.db,
        pending,
        metrics,
        clock: systemClock,
        logger,
        maxWaitMs: config.pollMaxWaitMs,
        maxEvents: config.pollMaxEvents,
        stopSignal: stopPolls.signal,
      },
      readiness: () => consumerReadiness(consumer),
    },
  });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stopPolls.abort());
  const shutdown = installGracefulShutdown({
    logger,
    server,
    // Settle the event in hand and the push in flight, then flush and close NATS.
    steps: [
      [
        { name: 'AUTH consumer', run: () => consumer.stop() },
        { name: 'push worker', run: () => pushWorker.stop() },
        { name: 'revocation feed', run: () => adminAuth.feed.stop() },
      ],
      { name: 'nats', run: () => nc.drain() },
      { name: 'database', run: () => database.close() },
    ],
  });
  // A consumer that fails for good leaves the service unable to do its job: stop it.
  for (const [name, closed] of [
    ['AUTH consumer', consumer.closed],
    ['push worker', pushWorker.closed],
    ['revocation feed', adminAuth.feed.closed],
  ] as const) {
    closed.catch((error: unknown) => {
      logger.fatal({ err: error }, `${name} failed`);
      stopPolls.abort();
      void shutdown(`${name} failed`, 1);
    });
  }
  logger.info({ port, host: config.host, issuer: config.issuer, kid: key.kid, driver: database.driver }, 'signals service listening');
}

void runService('signals', main);
