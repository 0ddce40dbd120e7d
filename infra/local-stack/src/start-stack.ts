import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Logger } from '@veto/events';
import { LocalStackError } from './errors';
import { freePort } from './free-port';
import { createGateway, type GatewayRoute } from './gateway';
import { SERVICE_NODE_FLAGS } from './service-node-flags';
import { startManagedProcess, type ChildExit, type ManagedProcess } from './managed-process';
import type { StackConfig } from './stack-config';
import { loadOrCreateSecrets, type AdminCredentials, type IntrospectionClient } from './stack-secrets';

/** Options of {@link startStack}. */
export interface StartStackOptions {
  readonly config: StackConfig;
  /** The repository checkout holding `services/` and `infra/nats/veto.conf`. */
  readonly repositoryRoot: string;
  /** Run the services from `src/*.ts` through tsx instead of their built `dist/main.js`. */
  readonly fromSources: boolean;
  /** The nats-server binary; unused when `config.natsUrl` is set. */
  readonly natsServerBinary: string;
  /** Receives every child's output line by line, and the launcher's own lines as `veto`. */
  readonly onLine: (name: string, line: string) => void;
  /** The gateway's logger. */
  readonly logger: Logger;
  /** How long every part together may take to become ready; 180 s by default (tsx compiles on a slow machine). */
  readonly readyTimeoutMs?: number;
  /** Aborting it stops a start in progress: what was started is stopped, and the start rejects with `NOT_READY`. */
  readonly signal?: AbortSignal;
  /** Extra variables for the auth service (tests lower the argon2 cost). */
  readonly authEnv?: Record<string, string>;
}

/** The running stack. */
export interface RunningStack {
  readonly urls: { readonly gateway: string; readonly auth: string; readonly tickets: string; readonly signals: string; readonly nats: string };
  /** The signals service's `SIGNALS_ISSUER`: the gateway's `/signals`. */
  readonly signalsIssuer: string;
  readonly admin: AdminCredentials;
  /** The client of auth's `POST /api/auth/introspect`, passed to auth as `INTROSPECTION_CLIENT_ID`/`_SECRET`. */
  readonly introspection: IntrospectionClient;
  /** True until a start has shown the admin password and the introspection secret: the banner shows them. */
  readonly firstStart: boolean;
  /** Whether nats-server was started here (false with `NATS_URL`). */
  readonly ownsNats: boolean;
  /** Resolves with the first child that exits while the stack is not stopping. */
  readonly failed: Promise<ChildExit & { recentLines: string[] }>;
  /** Stops the gateway, then signals, tickets and auth, then nats-server; resolves with each child's exit. */
  stop(): Promise<ChildExit[]>;
  /** SIGKILLs every child at once, synchronously (for a process exit hook). */
  kill(): void;
}

const STOP_GRACE_MS = 10_000;

async function listenGateway(gateway: Server, port: number): Promise<void> {
  gateway.listen(port, '127.0.0.1');
  try {
    await once(gateway, 'listening');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new LocalStackError('CONFIG_INVALID', `port ${port} is in use; stop what runs there or choose another with GATEWAY_PORT`, { cause: error });
    }
    throw error;
  }
}

/** Polls `check` until it returns true, failing early when one of `children` exits and late at `deadline`. */
async function waitFor(what: string, check: () => Promise<boolean>, children: readonly ManagedProcess[], deadline: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw new LocalStackError('NOT_READY', `start-up interrupted before ${what}`);
    const dead = children.find((child) => !child.running);
    if (dead) {
      const exit = await dead.exited;
      throw new LocalStackError('CHILD_EXITED', `${dead.name} exited (code ${exit.code}, signal ${exit.signal}) before ${what}:\n${dead.recentLines().join('\n')}`);
    }
    if (await check()) return;
    if (Date.now() > deadline) throw new LocalStackError('NOT_READY', `${what} did not happen in time`);
    await sleep(100);
  }
}

const answers200 = (url: string) => (): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
    (response) => response.status === 200,
    () => false,
  );

const acceptsLogin = (url: string, user: string, pass: string) => async (): Promise<boolean> => {
  try {
    // As long as nats-server gives a client to authenticate (veto.conf): a shorter handshake timeout
    // fails every probe on a busy machine, up to the deadline.
    const nc = await connect({ servers: url, user, pass, reconnect: false, timeout: 10_000 });
    await nc.close();
    return true;
  } catch {
    // Not listening yet: keep polling until the deadline or the process exits.
    return false;
  }
};

/** A service of the stack that the gateway routes to. */
export type PublicService = 'auth' | 'tickets' | 'signals';

/**
 * Which service each public path prefix belongs to, in match order (a longer prefix before the
 * shorter one it lies under): the gateway's routes here, and the Kubernetes Ingress's (`infra/k8s`
 * tests compare the two). A route with `stripPrefix` is the gateway's only: a plain Ingress cannot
 * strip a prefix, so in Kubernetes the signals service answers at the root paths listed here too
 * (`/ssf`, `/jwks.json`, with `SIGNALS_ISSUER` the site's origin).
 */
export const PUBLIC_ROUTES: readonly { readonly prefix: string; readonly service: PublicService; readonly stripPrefix?: true }[] = [
  { prefix: '/api/users', service: 'auth' },
  { prefix: '/api/auth', service: 'auth' },
  // Signals' admin API (receivers, its dead letters), under the console's /api/admin.
  { prefix: '/api/admin/receivers', service: 'signals' },
  { prefix: '/api/admin/dead-letters', service: 'signals' },
  { prefix: '/api/admin', service: 'auth' },
  // SSF discovery sits between the host and the issuer's path: /.well-known/ssf-configuration/signals.
  { prefix: '/.well-known/ssf-configuration', service: 'signals' },
  { prefix: '/.well-known', service: 'auth' },
  { prefix: '/admin', service: 'auth' },
  { prefix: '/api/tickets', service: 'tickets' },
  { prefix: '/ssf', service: 'signals' },
  { prefix: '/jwks.json', service: 'signals' },
  // The local issuer http://localhost:<port>/signals: its metadata names /signals/ssf/..., /signals/jwks.json.
  { prefix: '/signals', service: 'signals', stripPrefix: true },
];

/** The path the local stack's signals service is published under: its issuer is the gateway's origin plus this. */
export const SIGNALS_PATH = '/signals';

/**
 * Starts the whole local stack: nats-server with `infra/nats/veto.conf` (or the server at
 * `NATS_URL`), the auth, tickets and signals services as child processes with embedded PGlite databases in
 * the data directory, and the gateway on `GATEWAY_PORT`; resolves once every part answers
 * `/readyz` with 200. On first start it generates the admin's and the NATS users' passwords and
 * the introspection client's secret.
 *
 * @param options - configuration, repository root, how to run the services, output sinks
 * @returns the running stack, to stop it or learn when a child died
 * @throws LocalStackError `CHILD_EXITED` (a child died while starting, with its last lines), `NOT_READY`
 *   (not ready in time), `CONFIG_INVALID` (gateway port in use); everything started is stopped first
 * @example
 * const stack = await startStack({ config, repositoryRoot, fromSources: false, natsServerBinary: '/usr/sbin/nats-server', onLine, logger });
 * await stack.failed; // a child died
 */
export async function startStack(options: StartStackOptions): Promise<RunningStack> {
  const { config, repositoryRoot } = options;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
  const secrets = await loadOrCreateSecrets(config.dataDir, config.adminEmail);
  const children: ManagedProcess[] = [];
  const base = { PATH: process.env.PATH ?? '', ...(process.env.HOME ? { HOME: process.env.HOME } : {}) };
  const say = (line: string): void => options.onLine('veto', line);
  let stopping = false;

  const authUrl = `http://127.0.0.1:${config.authPort}`;
  const ticketsUrl = `http://127.0.0.1:${config.ticketsPort}`;
  const signalsUrl = `http://127.0.0.1:${config.signalsPort}`;
  const upstreams: Record<PublicService, string> = { auth: authUrl, tickets: ticketsUrl, signals: signalsUrl };
  const routes: GatewayRoute[] = PUBLIC_ROUTES.map(({ prefix, service, stripPrefix }) => ({
    prefix,
    upstream: upstreams[service],
    name: service,
    ...(stripPrefix ? { stripPrefix } : {}),
  }));
  const signalsIssuer = `http://localhost:${config.gatewayPort}${SIGNALS_PATH}`;
  const gateway = createGateway({ routes, logger: options.logger, docsDirectory: join(repositoryRoot, 'docs') });

  const stop = async (): Promise<ChildExit[]> => {
    stopping = true;
    if (gateway.listening) {
      const closed = once(gateway, 'close');
      gateway.close();
      gateway.closeAllConnections();
      await closed;
    }
    // Consumers first, so they settle their work while the bus is still there; the bus last.
    const byName = (name: string) => children.filter((child) => child.name === name);
    const exits = await Promise.all([...byName('signals'), ...byName('tickets'), ...byName('auth')].map((child) => child.stop(STOP_GRACE_MS)));
    exits.push(...(await Promise.all(byName('nats').map((child) => child.stop(STOP_GRACE_MS)))));
    return exits;
  };
  const kill = (): void => children.forEach((child) => child.kill());

  try {
    await listenGateway(gateway, config.gatewayPort);
    const service = (name: PublicService, env: Record<string, string>) => {
      const cwd = join(repositoryRoot, 'services', name);
      const entry = options.fromSources ? ['--import', 'tsx', join(cwd, 'src', 'main.ts')] : [join(cwd, 'dist', 'main.js')];
      const args = [...SERVICE_NODE_FLAGS, ...entry];
      return startManagedProcess({ name, command: process.execPath, args, cwd, env: { ...base, ...env }, onLine: options.onLine });
    };

    let natsUrl = config.natsUrl;
    const credentials = (user: PublicService): Record<string, string> => (config.natsUrl ? {} : { NATS_USER: user, NATS_PASSWORD: secrets.nats[user] });
    if (natsUrl === undefined) {
      const port = await freePort();
      natsUrl = `nats://127.0.0.1:${port}`;
      const storeDir = join(config.dataDir, 'nats');
      await mkdir(storeDir, { recursive: true });
      const nats = await startManagedProcess({
        name: 'nats',
        command: options.natsServerBinary,
        args: ['-c', join(repositoryRoot, 'infra', 'nats', 'veto.conf'), '-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)],
        cwd: config.dataDir,
        // The server holds only the bcrypt hashes; the services log in with the passwords.
        env: {
          ...base,
          VETO_NATS_AUTH_PASSWORD: secrets.natsServer.auth,
          VETO_NATS_TICKETS_PASSWORD: secrets.natsServer.tickets,
          VETO_NATS_SIGNALS_PASSWORD: secrets.natsServer.signals,
        },
        stopSignal: 'SIGINT',
        onLine: options.onLine,
      });
      children.push(nats);
      await waitFor('nats-server accepted the auth user', acceptsLogin(natsUrl, 'auth', secrets.nats.auth), children, deadline, options.signal);
      say(`nats-server ready on ${natsUrl}, JetStream store in ${storeDir}`);
    }

    const common = { VETO_ENV: 'local', HOST: '127.0.0.1', LOG_LEVEL: config.logLevel, NATS_URL: natsUrl };
    const ticketsDataDir = join(config.dataDir, 'tickets');
    const startTickets = async () =>
      children.push(
        await service('tickets', {
          ...common,
          ...credentials('tickets'),
          PORT: String(config.ticketsPort),
          DATA_DIR: ticketsDataDir,
          MANAGE_STREAMS: 'false',
          JWKS_URL: `${authUrl}/.well-known/jwks.json`,
          // Behind the gateway, like auth: the origin the browser addressed comes from X-Forwarded-Proto/-Host.
          TRUST_PROXY_HOPS: '1',
        }),
      );
    const signalsDataDir = join(config.dataDir, 'signals');
    const startSignals = async () =>
      children.push(
        await service('signals', {
          ...common,
          ...credentials('signals'),
          PORT: String(config.signalsPort),
          DATA_DIR: signalsDataDir,
          // Its metadata names URLs under the gateway's /signals, which strips the prefix; the
          // signing key is generated into DATA_DIR (local mode).
          SIGNALS_ISSUER: signalsIssuer,
          // Admin tokens, verified like tickets does.
          JWKS_URL: `${authUrl}/.well-known/jwks.json`,
        }),
      );
    // Tickets fetches the JWKS from auth at start-up (retrying for ~8 s) and waits for the stream
    // auth creates. Once a start has left tickets its JWKS cache file, both exist from the last run,
    // so tickets starts beside auth and their start-ups overlap; before that, auth comes first.
    // Signals too, by the same sign in its own data directory (none yet: it then starts after auth,
    // beside tickets, and its start-up overlaps tickets').
    const ticketsAlongside = existsSync(join(ticketsDataDir, 'jwks.json'));
    const signalsAlongside = existsSync(join(signalsDataDir, 'jwks.json'));
    children.push(
      await service('auth', {
        ...common,
        ...credentials('auth'),
        PORT: String(config.authPort),
        DATA_DIR: join(config.dataDir, 'auth'),
        ADMIN_EMAIL: secrets.admin.email,
        ADMIN_PASSWORD: secrets.admin.password,
        INTROSPECTION_CLIENT_ID: secrets.introspection.clientId,
        INTROSPECTION_CLIENT_SECRET: secrets.introspection.clientSecret,
        // The gateway is the one proxy in front: its X-Forwarded-For names the client for rate limiting.
        TRUST_PROXY_HOPS: '1',
        ...options.authEnv,
      }),
    );
    if (ticketsAlongside) await startTickets();
    if (signalsAlongside) await startSignals();
    await waitFor('auth answered /readyz', answers200(`${authUrl}/readyz`), children, deadline, options.signal);
    if (!ticketsAlongside) await startTickets();
    if (!signalsAlongside) await startSignals();
    await waitFor('tickets answered /readyz', answers200(`${ticketsUrl}/readyz`), children, deadline, options.signal);
    await waitFor('signals answered /readyz', answers200(`${signalsUrl}/readyz`), children, deadline, options.signal);
    await waitFor('the gateway answered /readyz', answers200(`http://127.0.0.1:${config.gatewayPort}/readyz`), children, deadline, options.signal);

    const failed = Promise.race(
      children.map(async (child) => {
        const exit = await child.exited;
        // A child that ends while the stack stops is expected; never settle for it.
        if (stopping) await new Promise<never>(() => undefined);
        return { ...exit, recentLines: child.recentLines() };
      }),
    );
    return {
      urls: { gateway: `http://localhost:${config.gatewayPort}`, auth: authUrl, tickets: ticketsUrl, signals: signalsUrl, nats: natsUrl },
      signalsIssuer,
      admin: secrets.admin,
      introspection: secrets.introspection,
      firstStart: secrets.firstStart,
      ownsNats: config.natsUrl === undefined,
      failed,
      stop,
      kill,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
