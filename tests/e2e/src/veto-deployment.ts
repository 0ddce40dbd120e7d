import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { Client } from 'pg';
import { freePort } from '@veto/test-kit';
import { request, type JsonResponse } from './http-client';
import { startServiceProcess, type ServiceProcess } from './service-process';

/** The admin account every deployment's auth service creates at start-up. */
export const ADMIN = { email: 'root@example.com', password: 'e2e admin password' } as const;
/** The password of every user a deployment signs up. */
export const USER_PASSWORD = 'correct horse battery';

/** Where a deployment keeps its data and how its processes reach NATS. */
export interface VetoDeploymentOptions {
  /** The NATS URL every service connects to (the same across server restarts). */
  readonly natsUrl: string;
  /** PostgreSQL for every service, one schema each (the tickets instances share theirs); PGlite per process when unset. */
  readonly databaseUrl?: string;
  /** Prefix of the temporary directory and the schema names, e.g. `e2e`. */
  readonly label?: string;
}

/**
 * The auth service and any number of tickets instances as separate processes over one
 * NATS server, with the HTTP calls a test makes against them. Each process keeps its port
 * and data across restarts, so a restarted process is the same deployment member.
 */
export interface VetoDeployment {
  /** `http://127.0.0.1:<port>` of the auth service, fixed for the deployment's life. */
  readonly authUrl: string;
  /** Starts the auth service (again, after a stop or a kill: same port, same data and signing key); `env` adds or overrides variables. */
  startAuth(env?: Readonly<Record<string, string>>): ServiceProcess;
  /** Starts tickets instance `index` (again: same port, and same PGlite data when there is no PostgreSQL); `env` adds or overrides variables. */
  startTickets(index: number, env?: Readonly<Record<string, string>>): Promise<ServiceProcess>;
  /** Signs a new user up. @throws Error when the answer is not 201 */
  signUp(email: string): Promise<{ token: string; userId: string }>;
  /** Signs in, answering whatever the auth service answered. */
  signIn(email: string, password?: string): Promise<JsonResponse>;
  /** An access token of {@link ADMIN}. @throws Error when the sign-in is not 200 */
  adminToken(): Promise<string>;
  /** Bans a user through the admin API, answering whatever the auth service answered. */
  ban(adminToken: string, userId: string, reason?: string): Promise<JsonResponse>;
  /** Deletes the data directory and drops the PostgreSQL schemas (stop the processes first). */
  cleanup(): Promise<void>;
}

/**
 * Lays out a deployment: ports, data directories, schemas and environments; nothing runs
 * until `startAuth` / `startTickets`. Password hashing is cheap: sign-ups are set-up here,
 * the production cost is tested in the auth service.
 *
 * @example
 * const deployment = await createVetoDeployment({ natsUrl: nats.url, databaseUrl: process.env.DATABASE_URL });
 * const auth = deployment.startAuth();
 * await auth.waitReady();
 * const tickets = await deployment.startTickets(1);
 */
export async function createVetoDeployment(options: VetoDeploymentOptions): Promise<VetoDeployment> {
  const label = options.label ?? 'e2e';
  const run = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), `veto-${label}-`));
  const schema = (service: string) => `${label}_${run}_${service}`;
  const database = (service: string, dataSubdir: string): Record<string, string> =>
    options.databaseUrl ? { DATABASE_URL: options.databaseUrl, DATABASE_SCHEMA: schema(service) } : { DATA_DIR: join(dataDir, dataSubdir) };
  const authPort = await freePort();
  const authUrl = `http://127.0.0.1:${authPort}`;
  const ticketsPorts = new Map<number, number>();

  const deployment: VetoDeployment = {
    authUrl,
    startAuth: (env = {}) =>
      startServiceProcess({
        name: 'auth',
        service: 'auth',
        port: authPort,
        env: {
          VETO_ENV: 'local',
          LOG_LEVEL: 'warn',
          // The signing key lives in DATA_DIR even with PostgreSQL.
          DATA_DIR: join(dataDir, 'auth'),
          ...database('auth', 'auth'),
          NATS_URL: options.natsUrl,
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
          ARGON2_MEMORY_KIB: '1024',
          ARGON2_TIME_COST: '1',
          ...env,
        },
      }),
    async startTickets(index, env = {}) {
      const port = ticketsPorts.get(index) ?? (await freePort());
      ticketsPorts.set(index, port);
      return startServiceProcess({
        name: `tickets-${index}`,
        service: 'tickets',
        port,
        env: {
          VETO_ENV: 'local',
          LOG_LEVEL: 'warn',
          ...database('tickets', `tickets-${index}`),
          NATS_URL: options.natsUrl,
          JWKS_URL: `${authUrl}/.well-known/jwks.json`,
          ...env,
        },
      });
    },
    async signUp(email) {
      const { status, body } = await request('POST', `${authUrl}/api/users/signup`, { body: { email, password: USER_PASSWORD } });
      if (status !== 201) throw new Error(`sign-up of ${email} answered ${status}: ${JSON.stringify(body)}`);
      return { token: body.accessToken as string, userId: (body.user as { id: string }).id };
    },
    signIn: (email, password = USER_PASSWORD) => request('POST', `${authUrl}/api/users/signin`, { body: { email, password } }),
    async adminToken() {
      const { status, body } = await deployment.signIn(ADMIN.email, ADMIN.password);
      if (status !== 200) throw new Error(`admin sign-in answered ${status}: ${JSON.stringify(body)}`);
      return body.accessToken as string;
    },
    ban: (adminToken, userId, reason = 'e2e') => request('POST', `${authUrl}/api/admin/users/${userId}/ban`, { token: adminToken, body: { reason } }),
    async cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
      if (!options.databaseUrl) return;
      const client = new Client({ connectionString: options.databaseUrl });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema('auth')} CASCADE; DROP SCHEMA IF EXISTS ${schema('tickets')} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return deployment;
}

/** A running deployment: nats-server, the auth service and the tickets instances, all ready. */
export interface RunningVeto {
  readonly nats: NatsServerHandle;
  readonly deployment: VetoDeployment;
  /** The auth process; replace it after a restart by assigning. */
  auth: ServiceProcess;
  /** Tickets instance `i + 1` at index `i`; replace one after a restart by assigning. */
  readonly tickets: ServiceProcess[];
  /** Stops every process, nats-server, and deletes the data. */
  stop(): Promise<void>;
}

/**
 * Starts nats-server, the auth service and one tickets instance per entry of `tickets` (its
 * extra environment), and waits until each is ready.
 *
 * @throws Error when a process does not become ready (everything started is stopped first)
 * @example
 * const veto = await startVeto({ databaseUrl: process.env.DATABASE_URL, tickets: [{}, { RECEIPT_INTERVAL_MS: '300' }] });
 * await veto.stop();
 */
export async function startVeto(options: {
  readonly databaseUrl?: string;
  readonly label?: string;
  readonly tickets: readonly Readonly<Record<string, string>>[];
}): Promise<RunningVeto> {
  const nats = await startNatsServer();
  const deployment = await createVetoDeployment({ natsUrl: nats.url, databaseUrl: options.databaseUrl, label: options.label });
  const running: RunningVeto = {
    nats,
    deployment,
    auth: deployment.startAuth(),
    tickets: [],
    async stop() {
      await Promise.all([running.auth, ...running.tickets].map((service) => service.stop()));
      await nats.cleanup();
      await deployment.cleanup();
    },
  };
  try {
    await running.auth.waitReady();
    for (const [index, env] of options.tickets.entries()) {
      running.tickets.push(await deployment.startTickets(index + 1, env));
    }
    await Promise.all(running.tickets.map((instance) => instance.waitReady()));
  } catch (error) {
    await running.stop();
    throw error;
  }
  return running;
}
