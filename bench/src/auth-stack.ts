import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, request, startServiceProcess, type ServiceProcess } from '@veto/e2e';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { LOOP_PROBE_ARGS } from './loop-probe-records';

const PASSWORD = 'bench password, not a secret';
/** The admin account the auth service creates at start-up. */
const ADMIN = { email: 'bench-admin@example.com', password: 'bench admin password' };

/** A nats-server and the real auth service as a separate process, for the suites that need them. */
export interface AuthStack {
  readonly nats: NatsServerHandle;
  readonly auth: ServiceProcess;
  readonly dataDir: string;
  readonly jwksUrl: string;
  readonly introspectionUrl: string;
  readonly introspectionSecret: string;
  /** Environment for a tickets process (or the bench server) next to this auth service. */
  readonly serviceEnv: Record<string, string>;
  /** Arguments for node when starting a service process (profiling, see {@link serviceNodeArgs}). */
  readonly nodeArgs: readonly string[];
  /** Signs a new user up; returns its access token and id. */
  signUp(email: string): Promise<{ token: string; userId: string }>;
  /** An access token of the configured admin. */
  adminToken(): Promise<string>;
  /** Stops the auth service only (the suites measure what still works without it). */
  stopAuth(): Promise<void>;
  /** Stops everything and removes the temporary data. */
  stop(): Promise<void>;
}

/**
 * Node arguments for every service and bench-server process: with `BENCH_CPU_PROF_DIR=<dir>` each
 * writes a V8 CPU profile there when it exits (`--cpu-prof` is not allowed in NODE_OPTIONS).
 *
 * @example
 * startServiceProcess({ ..., nodeArgs: serviceNodeArgs() });
 */
export function serviceNodeArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/**
 * Starts a nats-server on a free port and the auth service from its sources (PGlite in a
 * temporary directory, or a fresh schema of `DATABASE_URL`), with an admin account and an
 * introspection client secret; password hashing is made cheap because sign-ups are set-up here,
 * not what is measured.
 *
 * @param options - `authLogLevel` of the auth service (`warn` unless a suite reads its debug lines);
 *   `loopProbe`: every service process (`nodeArgs`) loads the loop probe, which logs GC pauses and event-loop stalls
 * @throws Error when the auth service does not become ready
 * @example
 * const stack = await startAuthStack();
 * const { token } = await stack.signUp('ada@example.com');
 */
export async function startAuthStack(options: { authLogLevel?: 'warn' | 'debug'; loopProbe?: boolean } = {}): Promise<AuthStack> {
  const nodeArgs = [...serviceNodeArgs(), ...(options.loopProbe === true ? LOOP_PROBE_ARGS : [])];
  const run = randomBytes(4).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'veto-bench-'));
  const nats = await startNatsServer();
  const port = await freePort();
  const introspectionSecret = randomBytes(24).toString('base64url');
  const databaseUrl = process.env.DATABASE_URL;
  const auth = startServiceProcess({
    name: 'auth',
    service: 'auth',
    port,
    nodeArgs,
    env: {
      VETO_ENV: 'local',
      LOG_LEVEL: options.authLogLevel ?? 'warn',
      DATA_DIR: join(dataDir, 'auth'),
      NATS_URL: nats.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      INTROSPECTION_CLIENT_SECRET: introspectionSecret,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${run}_auth` } : {}),
    },
  });
  try {
    await auth.waitReady();
  } catch (error) {
    await auth.stop();
    await nats.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const jwksUrl = `${auth.url}/.well-known/jwks.json`;
  let authStopped = false;
  return {
    nats,
    auth,
    dataDir,
    nodeArgs,
    jwksUrl,
    introspectionUrl: `${auth.url}/api/auth/introspect`,
    introspectionSecret,
    serviceEnv: {
      VETO_ENV: 'local',
      LOG_LEVEL: 'warn',
      NATS_URL: nats.url,
      JWKS_URL: jwksUrl,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${run}_tickets` } : {}),
    },
    async signUp(email) {
      const { status, body } = await request('POST', `${auth.url}/api/users/signup`, { body: { email, password: PASSWORD } });
      if (status !== 201) throw new Error(`sign-up of ${email} answered ${status}: ${JSON.stringify(body)}`);
      return { token: body.accessToken as string, userId: (body.user as { id: string }).id };
    },
    async adminToken() {
      const { status, body } = await request('POST', `${auth.url}/api/users/signin`, { body: ADMIN });
      if (status !== 200) throw new Error(`admin sign-in answered ${status}: ${JSON.stringify(body)}`);
      return body.accessToken as string;
    },
    async stopAuth() {
      authStopped = true;
      await auth.stop();
    },
    async stop() {
      if (!authStopped) await auth.stop();
      await nats.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
