import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, ensureStreams } from '@veto/events';
import { migrateDatabase, openDatabase } from '@veto/storage';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config';
import { MIGRATIONS_FOLDER } from './data-access/migrations-folder';
import { schema } from './data-access/schema';
import { loadVerificationKeys } from './data-access/verification-keys';
import { startSellerModerationConsumer } from './entry-points/events/seller-moderation-consumer';
import { waitForStream } from './entry-points/events/wait-for-stream';
import { ConfigError } from './errors';
import { createLogger } from './logger';
import { createTokenVerification } from './token-verification';

// Long enough for the auth service to start next to this one; after that, exiting lets a supervisor restart and report it.
const STREAM_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  const keys = await loadVerificationKeys(config, logger);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema, schema });
  await migrateDatabase(database, { migrationsFolder: MIGRATIONS_FOLDER });
  // A short reconnect wait (default 2 s): after a NATS restart, revocations flow again within a few hundred ms.
  const nc = await connect({
    servers: config.natsUrl.split(','),
    name: 'veto-tickets',
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    user: config.natsUser,
    pass: config.natsPassword,
  });
  if (config.manageStreams) {
    await ensureStreams(nc, { maxAgeMs: config.streamMaxAgeSeconds * 1000, replicas: config.streamReplicas });
  } else {
    await waitForStream(nc, { timeoutMs: STREAM_WAIT_MS, logger });
  }

  const { verifier, cache, feed } = createTokenVerification({ nc, keys, config, clock: systemClock, logger });
  const consumer = startSellerModerationConsumer({ nc, context: { db: database.db, clock: systemClock }, logger, maxDeliver: config.moderationMaxDeliver });
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const app = createApp({ database, verifier, cache, feed, clock: systemClock, logger, metricsRegistry });

  // Listening before the feed caught up lets /readyz answer 503 (and protected routes
  // REVOCATION_NOT_READY) instead of refusing connections while the replay runs.
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  logger.info({ port, host: config.host, driver: database.driver }, 'tickets service listening');

  let stopping = false;
  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ reason }, 'shutting down');
    let code = exitCode;
    // Every step runs even when an earlier one fails (a consumer that failed is why we stop,
    // say): each failure is logged and turns the exit code to 1.
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
    // Settle the event in hand before the connection drains, then flush and close NATS.
    await Promise.all([step('moderation consumer', () => consumer.stop()), step('revocation feed', () => feed.stop())]);
    await step('nats', () => nc.drain());
    await step('database', () => database.close());
    logger.info('stopped');
    process.exit(code);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal, 0));
  }
  // A consumer or feed that fails for good leaves the instance unable to do its job: stop it.
  for (const [name, closed] of [['revocation feed', feed.closed], ['seller moderation consumer', consumer.closed]] as const) {
    closed.catch((error: unknown) => {
      logger.fatal({ err: error }, `${name} failed`);
      void shutdown(`${name} failed`, 1);
    });
  }
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    void shutdown('unhandledRejection', 1);
  });

  await feed.ready;
  logger.info({ applied: feed.stats.applied }, 'revocation feed caught up; ready');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`tickets: configuration error (${error.variable}): ${error.message}\n`);
  } else {
    process.stderr.write(`tickets: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
