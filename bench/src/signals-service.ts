import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, startServiceProcess, type ServiceProcess } from '@veto/e2e';
import type { AuthStack } from './auth-stack';

/** The signals service as a process of its own next to an {@link AuthStack}. */
export interface SignalsService {
  readonly process: ServiceProcess;
  /** Its `SIGNALS_ISSUER`: the `iss` of every SET and the base of its endpoints. */
  readonly issuer: string;
}

/**
 * Starts the signals service from its sources next to the auth stack: the same nats-server (no
 * NATS users: the bench's server has no authorization), the auth service's JWKS for admin tokens,
 * its default `JWT_ISSUER` and `JWT_AUDIENCE` (the stack sets neither), PGlite in the stack's
 * temporary directory or a fresh schema of `DATABASE_URL`, a signing key generated in local mode,
 * and an `http` issuer on its own port.
 *
 * @param stack - a running auth stack; stopping it does not stop this service
 * @param options - `logLevel` (`debug` logs `SETs stored` per event, which the suite reads)
 * @throws Error when the service does not become ready (it is stopped first)
 * @example
 * const signals = await startSignalsService(stack, { logLevel: 'debug' });
 * await signals.process.stop();
 */
export async function startSignalsService(stack: AuthStack, options: { logLevel?: 'warn' | 'debug' } = {}): Promise<SignalsService> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const databaseUrl = process.env.DATABASE_URL;
  const signals = startServiceProcess({
    name: 'signals',
    service: 'signals',
    port,
    nodeArgs: stack.nodeArgs,
    env: {
      VETO_ENV: 'local',
      LOG_LEVEL: options.logLevel ?? 'warn',
      DATA_DIR: join(stack.dataDir, 'signals'),
      NATS_URL: stack.nats.url,
      JWKS_URL: stack.jwksUrl,
      SIGNALS_ISSUER: issuer,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: `bench_${randomBytes(4).toString('hex')}_signals` } : {}),
    },
  });
  try {
    await signals.waitReady();
  } catch (error) {
    await signals.stop();
    throw error;
  }
  return { process: signals, issuer };
}
