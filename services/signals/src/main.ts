import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { installGracefulShutdown, runService } from '@veto/service-kit';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app';
import { loadConfig } from './config';
import { loadSigningKey } from './data-access/signing-key-source';
import { createLogger } from './logger';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config);
  // Once, before listening: a bad key stops the start naming SIGNALS_PRIVATE_KEY_FILE.
  const key = loadSigningKey(config, logger);
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });
  const app = createApp({ issuer: config.issuer, key, logger, metricsRegistry });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  installGracefulShutdown({ logger, server, steps: [] });
  logger.info({ port, host: config.host, issuer: config.issuer, kid: key.kid }, 'signals service listening');
}

void runService('signals', main);
