// Suite 1's server, run as its own process by overhead-suite.ts: the apps of overhead-apps.ts, one
// per mode, each on its own port. Sends `{ ports }` over IPC once every mode serves, and stops on
// SIGTERM.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRevocationFeed, createVerifier, keysFromJwks, loadJwks, RevocationCache, type Verifier } from '@veto/auth-lib';
import { connect, ensureStreams } from '@veto/events';
import { migrateDatabase, openDatabase } from '@veto/storage';
import { MIGRATIONS_FOLDER, schema } from '@veto/tickets';
import pino from 'pino';
import { createClient } from 'redis';
import { introspectionGate } from './introspection-gate';
import { jwksRsaGate } from './jwks-rsa-gate';
import { createOverheadApps } from './overhead-apps';
import { OVERHEAD_MODES } from './overhead-modes';
import { redisDenylistGate } from './redis-denylist-gate';

const TTL_SECONDS = 900;
const SKEW_SECONDS = 30;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`overhead server: ${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const natsUrl = required('NATS_URL');
  const keys = await loadJwks(required('JWKS_URL'));
  const issuer = process.env.JWT_ISSUER ?? 'veto-auth';
  const audience = process.env.JWT_AUDIENCE ?? 'veto';
  // Warn: the per-request log line is info, so every mode skips it alike.
  const logger = pino({ level: 'warn' });
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: join(required('DATA_DIR'), 'pg'), schemaName: 'tickets', schema });
  await migrateDatabase(database, { migrationsFolder: MIGRATIONS_FOLDER });
  const nc = await connect({ servers: natsUrl, maxReconnectAttempts: -1 });
  await ensureStreams(nc);
  const cache = new RevocationCache({ accessTokenTtlSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS });
  const feed = createRevocationFeed({ nc, cache, accessTokenTtlSeconds: TTL_SECONDS, clockSkewSeconds: SKEW_SECONDS, logger });
  const veto = (cacheEnabled: boolean): Verifier =>
    createVerifier({
      issuer,
      audience,
      keys,
      clockSkewSeconds: SKEW_SECONDS,
      accessTokenTtlSeconds: TTL_SECONDS,
      revocations: cache,
      isRevocationAvailable: feed.isRevocationAvailable,
      cache: { enabled: cacheEnabled },
    });
  // No offline queue: with Redis stopped a request fails at once (503) instead of waiting for a reconnect.
  const redis = createClient({ url: required('REDIS_URL'), disableOfflineQueue: true });
  // Connection errors surface as the failed commands' 503s, which the outage run counts.
  redis.on('error', () => {});
  await redis.connect();

  const apps = createOverheadApps({
    database,
    cache,
    feed,
    logger,
    veto,
    gates: {
      introspection: introspectionGate({ url: required('INTROSPECTION_URL'), clientSecret: required('INTROSPECTION_CLIENT_SECRET') }),
      'redis-denylist': redisDenylistGate({ redis, keys: keysFromJwks(keys), issuer, audience }),
      'express-jwt-jwks': jwksRsaGate({ jwksUri: required('JWKS_URL'), issuer, audience }),
    },
  });
  await feed.ready;
  const servers = await Promise.all(
    OVERHEAD_MODES.map(async (mode) => {
      const server = apps[mode].listen(0, '127.0.0.1');
      await once(server, 'listening');
      return [mode, server] as const;
    }),
  );
  const ports = Object.fromEntries(servers.map(([mode, server]) => [mode, (server.address() as AddressInfo).port]));
  process.send?.({ ports });
  process.once('SIGTERM', () => {
    for (const [, server] of servers) {
      server.close();
      server.closeAllConnections();
    }
    void feed
      .stop()
      .then(() => nc.close())
      .then(() => redis.destroy())
      .then(() => database.close())
      .then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`overhead server failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
