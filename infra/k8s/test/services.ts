import { CONFIG_SPEC as AUTH_CONFIG, loadConfig as loadAuthConfig } from '@veto/auth';
import { CONFIG_SPEC as SIGNALS_CONFIG, loadConfig as loadSignalsConfig } from '@veto/signals';
import { CONFIG_SPEC as TICKETS_CONFIG, loadConfig as loadTicketsConfig } from '@veto/tickets';
import { join } from 'node:path';
import { REPO_DIR } from './rendered-manifests';

/** The part of a service's configuration key the manifests are checked against. */
export interface ConfigKey {
  readonly env: string;
  readonly default: string | undefined;
  readonly schema: { safeParse(input: unknown): { readonly success: boolean } };
}

/** A service as the manifests must run it. */
export interface ServiceUnderTest {
  readonly name: 'auth' | 'tickets' | 'signals';
  /** The service's own configuration schema (its exported `CONFIG_SPEC`). */
  readonly spec: Readonly<Record<string, ConfigKey>>;
  /** The service's own start-up parser: throws on what would stop the process. */
  readonly loadConfig: (env: Readonly<Record<string, string | undefined>>) => unknown;
  /** Its sources, where the probe routes are registered. */
  readonly sourceDir: string;
  /** Its Dockerfile. */
  readonly dockerfile: string;
  /** Replicas the issue asks for. */
  readonly replicas: number;
  /** Variables a cluster deployment must set although the service has a default: the defaults are for a laptop. */
  readonly mustSet: readonly string[];
}

/** The services of the manifests. */
export const SERVICES: readonly ServiceUnderTest[] = [
  {
    name: 'auth',
    spec: AUTH_CONFIG,
    loadConfig: loadAuthConfig,
    sourceDir: join(REPO_DIR, 'services', 'auth', 'src'),
    dockerfile: join(REPO_DIR, 'services', 'auth', 'Dockerfile'),
    replicas: 2,
    mustSet: ['PORT', 'DATABASE_URL', 'JWT_PRIVATE_KEY_FILE', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'TRUST_PROXY_HOPS'],
  },
  {
    name: 'tickets',
    spec: TICKETS_CONFIG,
    loadConfig: loadTicketsConfig,
    sourceDir: join(REPO_DIR, 'services', 'tickets', 'src'),
    dockerfile: join(REPO_DIR, 'services', 'tickets', 'Dockerfile'),
    replicas: 3,
    mustSet: ['PORT', 'DATABASE_URL', 'JWKS_URL', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD', 'MANAGE_STREAMS', 'TRUST_PROXY_HOPS'],
  },
  {
    name: 'signals',
    spec: SIGNALS_CONFIG,
    loadConfig: loadSignalsConfig,
    sourceDir: join(REPO_DIR, 'services', 'signals', 'src'),
    dockerfile: join(REPO_DIR, 'services', 'signals', 'Dockerfile'),
    // A single deliverer of the SET outbox (base/signals/deployment.yaml says why).
    replicas: 1,
    mustSet: ['PORT', 'DATABASE_URL', 'SIGNALS_ISSUER', 'SIGNALS_PRIVATE_KEY_FILE', 'JWKS_URL', 'NATS_URL', 'NATS_USER', 'NATS_PASSWORD'],
  },
];

/** The service of a name. */
export function serviceNamed(name: ServiceUnderTest['name']): ServiceUnderTest {
  const found = SERVICES.find((candidate) => candidate.name === name);
  if (found === undefined) {
    throw new Error(`no service ${name}`);
  }
  return found;
}

/** The configuration key of an environment variable. */
export function keyOf(service: ServiceUnderTest, variable: string): ConfigKey | undefined {
  return Object.values(service.spec).find((key) => key.env === variable);
}
