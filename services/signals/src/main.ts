import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connectWithRetry, waitForStream } from '@veto/events';
import { installGracefulShutdown, runService } from '@veto/service-kit';
import { migrateDatabase, openDatabase } from '@veto/storage';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { loadConfig } from './config';
import { MIGRATIONS_FOLDER } from './data-access/migrations-folder';
import { schema } from './data-access/schema';
import { loadSigningKey } from './data-access/signing-key-source';
import { createLogger } from './logger';

// Long enough for the auth service, which creates the stream, to start next to this one.
const STREAM_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  // Once, before listening: a bad key stops the start naming SIGNALS_PRIVATE_KEY_FILE.
  const key = loadSigningKey(config, logger);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema, schema });
  await migrateDatabase(database, { migrationsFolder: MIGRATIONS_FOLDER });
  const nc = await connectWithRetry(
    { servers: config.natsUrl.split(','), name: 'veto-signals', maxReconnectAttempts: -1, reconnectTimeWait: 250, user: config.natsUser, pass: config.natsPassword },
    { giveUpAfterMs: config.natsConnectTimeoutMs, logger },
  );
  // A consume-only user: the auth service creates the stream.
  await waitForStream(nc, { timeoutMs: STREAM_WAIT_MS, logger });

  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const app = createApp({ issuer: config.issuer, key, logger, metricsRegistry });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  installGracefulShutdown({
    logger,
    server,
    steps: [
      { name: 'nats', run: () => nc.drain() },
      { name: 'database', run: () => database.close() },
    ],
  });
  logger.info({ port, host: config.host, issuer: config.issuer, kid: key.kid, driver: database.driver }, 'signals service listening');
}

void runService('signals', main);
