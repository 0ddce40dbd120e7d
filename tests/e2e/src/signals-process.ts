import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { freePort } from '@veto/test-kit';
import { startServiceProcess, type ServiceProcess } from './service-process';

/** Where the signals service finds NATS and the auth service, and where it keeps its data. */
export interface SignalsLauncherOptions {
  readonly natsUrl: string;
  /** `http://127.0.0.1:<port>` of the auth service: its JWKS verifies admin tokens. */
  readonly authUrl: string;
  /** PostgreSQL (its own schema); PGlite in the launcher's data directory when unset. */
  readonly databaseUrl?: string;
  /** Prefix of the temporary directory and the schema name, e.g. `chaos`. */
  readonly label?: string;
}

/** The signals service as a process that keeps its port, issuer, signing key and data across restarts. */
export interface SignalsLauncher {
  /** `http://127.0.0.1:<port>`, also its `SIGNALS_ISSUER`. */
  readonly url: string;
  /** Starts the service (again, after a stop or a kill); `env` adds or overrides variables (e.g. push backoff). */
  start(env?: Readonly<Record<string, string>>): ServiceProcess;
  /** Deletes the data directory and drops the PostgreSQL schema (stop the process first). */
  cleanup(): Promise<void>;
}

/**
 * Lays out the signals service beside a deployment's auth service: local mode (an http issuer,
 * a signing key generated once into its data directory), the auth service's JWKS; nothing runs
 * until `start`. It needs the `AUTH` stream, which the auth service creates: start auth first.
 *
 * @example
 * const signals = await createSignalsLauncher({ natsUrl: nats.url, authUrl: deployment.authUrl });
 * const process_ = signals.start({ SIGNALS_PUSH_BACKOFF_BASE_MS: '200' });
 * await process_.waitReady(120_000);
 */
export async function createSignalsLauncher(options: SignalsLauncherOptions): Promise<SignalsLauncher> {
  const label = options.label ?? 'e2e';
  const dataDir = mkdtempSync(join(tmpdir(), `veto-${label}-signals-`));
  const schema = `${label}_${randomBytes(4).toString('hex')}_signals`;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    start: (env = {}) =>
      startServiceProcess({
        name: 'signals',
        service: 'signals',
        port,
        env: {
          VETO_ENV: 'local',
          LOG_LEVEL: 'warn',
          // The generated signing key lives in DATA_DIR even with PostgreSQL.
          DATA_DIR: dataDir,
          ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema } : {}),
          SIGNALS_ISSUER: url,
          NATS_URL: options.natsUrl,
          JWKS_URL: `${options.authUrl}/.well-known/jwks.json`,
          ...env,
        },
      }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (!options.databaseUrl) return;
      const client = new Client({ connectionString: options.databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
