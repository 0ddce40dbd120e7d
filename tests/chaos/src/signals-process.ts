import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServiceProcess, type ServiceProcess } from '@veto/e2e';

/** The signals service as a process that keeps its port, issuer, signing key and data across restarts. */
export interface SignalsLauncher {
  /** `http://127.0.0.1:<port>`, also its `SIGNALS_ISSUER`. */
  readonly url: string;
  /** Starts the service (again, after a stop or a kill); `env` adds or overrides variables (e.g. push backoff). */
  start(env?: Readonly<Record<string, string>>): ServiceProcess;
  /** Deletes the data directory (stop the process first). */
  cleanup(): void;
}

/**
 * Lays out the signals service beside a chaos cluster's auth service: local mode (an http issuer,
 * a signing key generated once into its data directory), the auth service's JWKS, PGlite in its
 * data directory (also when the cluster runs on PostgreSQL: this package has no client to drop a
 * schema with); nothing runs until `start`. It needs the `AUTH` stream, which the auth service
 * creates: start auth first.
 *
 * @example
 * const signals = await createSignalsLauncher({ natsUrl: nats.url, authUrl: deployment.authUrl });
 * const process_ = signals.start({ SIGNALS_PUSH_BACKOFF_BASE_MS: '200' });
 * await process_.waitReady(120_000);
 */
export async function createSignalsLauncher(options: { readonly natsUrl: string; readonly authUrl: string }): Promise<SignalsLauncher> {
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-chaos-signals-'));
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
          DATA_DIR: dataDir,
          SIGNALS_ISSUER: url,
          NATS_URL: options.natsUrl,
          JWKS_URL: `${options.authUrl}/.well-known/jwks.json`,
          ...env,
        },
      }),
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
