import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { knownValues, resolveEnv } from './container-env';
import { findObject, kustomizeAvailable, OVERLAYS, renderOverlay, type K8sObject } from './rendered-manifests';
import { keyOf, serviceNamed, SERVICES, type ServiceUnderTest } from './services';
import { mainContainer, workload } from './workloads';

interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: string | number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'test-support' ? [] : sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Whether the service's code registers `GET path` (an express route with that literal path). */
function registersGetRoute(service: ServiceUnderTest, path: string): boolean {
  const pattern = new RegExp(`\\.get\\(\\s*['"\`]${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}['"\`]`);
  return sourceFiles(service.sourceDir).some((file) => pattern.test(readFileSync(file, 'utf8')));
}

function httpPort(container: IContainer): number {
  const port = container.ports?.find((candidate) => candidate.name === 'http');
  if (port === undefined) {
    throw new Error(`${container.name} has no port named http`);
  }
  return port.containerPort;
}

function servicePorts(objects: readonly K8sObject[], name: string): ServicePort[] {
  return (findObject(objects, 'Service', name).spec as { ports: ServicePort[] }).ports;
}

(kustomizeAvailable() ? describe : describe.skip).each(OVERLAYS)('overlays/%s: the service containers', (overlay) => {
  const objects = renderOverlay(overlay);

  describe.each(SERVICES)('$name', (service) => {
    const target = workload(objects, service.name);
    const container = mainContainer(target);
    const env = resolveEnv(container, objects);

    it(`runs ${service.replicas} replica${service.replicas === 1 ? '' : 's'}`, () => {
      expect(target.kind).toBe('Deployment');
      expect(target.replicas).toBe(service.replicas);
    });

    it("sets only variables the service's CONFIG_SPEC reads", () => {
      const unknown = [...env.keys()].filter((variable) => keyOf(service, variable) === undefined);
      expect(unknown).toEqual([]);
    });

    it('sets every variable the service requires, and those whose defaults only suit a laptop', () => {
      const required = Object.values(service.spec)
        .filter((key) => key.default === undefined && !key.schema.safeParse(undefined).success)
        .map((key) => key.env);
      const missing = [...required, ...service.mustSet].filter((variable) => !env.has(variable));
      expect(missing).toEqual([]);
    });

    it("gives every variable it can read a value the service's schema accepts", () => {
      const invalid = [...env]
        .filter(([variable, source]) => 'value' in source && keyOf(service, variable)?.schema.safeParse(source.value).success !== true)
        .map(([variable, source]) => (source.from === 'secret' ? `${variable} (from a Secret)` : `${variable}=${'value' in source ? source.value : ''}`));
      expect(invalid).toEqual([]);
    });

    it('listens on the port its Service, its probes and the code default name', () => {
      const port = httpPort(container);
      expect(knownValues(env).PORT ?? keyOf(service, 'PORT')?.default).toBe(String(port));
      expect(keyOf(service, 'PORT')?.default).toBe(String(port));
      expect(servicePorts(objects, service.name)).toEqual([{ name: 'http', port, targetPort: 'http' }]);
    });

    it('probes liveness on /healthz and readiness on /readyz, routes the service registers', () => {
      expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(registersGetRoute(service, '/healthz')).toBe(true);
      expect(registersGetRoute(service, '/readyz')).toBe(true);
      expect(registersGetRoute(service, '/no-such-probe')).toBe(false);
    });

    it('connects to NATS through the nats Service', () => {
      const natsUrl = new URL(knownValues(env).NATS_URL ?? '');
      const client = servicePorts(objects, 'nats').find((port) => port.name === 'client');
      expect([natsUrl.protocol, natsUrl.hostname, natsUrl.port]).toEqual(['nats:', 'nats', String(client?.port)]);
    });
  });

  it('gives auth and tickets the same issuer, audience and access-token lifetime, and signals the same issuer and audience', () => {
    const shared = ['JWT_ISSUER', 'JWT_AUDIENCE', 'ACCESS_TOKEN_TTL_SECONDS'];
    const [auth = {}, tickets = {}, signals = {}] = ['auth', 'tickets', 'signals'].map((name) => knownValues(resolveEnv(mainContainer(workload(objects, name)), objects)));
    expect(shared.map((variable) => tickets[variable])).toEqual(shared.map((variable) => auth[variable]));
    expect(shared.every((variable) => auth[variable] !== undefined)).toBe(true);
    expect([signals.JWT_ISSUER, signals.JWT_AUDIENCE]).toEqual([auth.JWT_ISSUER, auth.JWT_AUDIENCE]);
  });

  it("points signals at the auth Service's JWKS for admin tokens, and runs one pod at a time (a single deliverer)", () => {
    const signals = workload(objects, 'signals');
    const values = knownValues(resolveEnv(mainContainer(signals), objects));
    const jwks = new URL(values.JWKS_URL ?? '');
    const authPort = servicePorts(objects, 'auth').find((port) => port.name === 'http')?.port;
    expect([jwks.hostname, jwks.port, jwks.pathname]).toEqual(['auth', String(authPort), '/.well-known/jwks.json']);
    expect(Object.keys(values).filter((variable) => variable.startsWith('JWT_PRIVATE_KEY'))).toEqual([]);
    // Recreate: a rollout stops the old pod before the new one starts, never two deliverers at once.
    expect((findObject(objects, 'Deployment', 'signals').spec as { strategy?: { type?: string } }).strategy?.type).toBe('Recreate');
  });

  it(`gives signals the site's origin as its issuer, ${overlay === 'cluster' ? 'https' : 'plain http in local mode'}`, () => {
    const values = knownValues(resolveEnv(mainContainer(workload(objects, 'signals')), objects));
    const issuer = new URL(values.SIGNALS_ISSUER ?? '');
    expect([issuer.protocol, issuer.pathname, values.VETO_ENV]).toEqual(overlay === 'cluster' ? ['https:', '/', 'production'] : ['http:', '/', 'local']);
  });

  it("runs signals with its own signing key read from its mounted Secret, not auth's", () => {
    const signals = workload(objects, 'signals');
    const container = mainContainer(signals);
    const keyFile = knownValues(resolveEnv(container, objects)).SIGNALS_PRIVATE_KEY_FILE ?? '';
    const mount = container.volumeMounts?.find((candidate) => keyFile.startsWith(`${candidate.mountPath}/`));
    const volume = signals.pod.volumes?.find((candidate) => candidate.name === mount?.name);
    expect(mount?.readOnly).toBe(true);
    expect(volume?.secret?.secretName).toMatch(/^veto-signals-signing-key(-[a-z0-9]{10})?$/);
    const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === volume?.secret?.secretName);
    if (overlay === 'local') {
      expect(Object.keys((secret?.data ?? {}) as object)).toEqual([keyFile.slice(`${mount?.mountPath}/`.length)]);
    } else {
      expect(secret).toBeUndefined(); // created with kubectl by the operator, never rendered from the repository
    }
  });

  it("points tickets at the auth Service's JWKS and keeps the private key away from it", () => {
    const tickets = knownValues(resolveEnv(mainContainer(workload(objects, 'tickets')), objects));
    const jwks = new URL(tickets.JWKS_URL ?? '');
    const authPort = servicePorts(objects, 'auth').find((port) => port.name === 'http')?.port;
    expect([jwks.hostname, jwks.port, jwks.pathname]).toEqual(['auth', String(authPort), '/.well-known/jwks.json']);
    expect(registersGetRoute(serviceNamed('auth'), '/.well-known/jwks.json')).toBe(true);
    expect(Object.keys(tickets).filter((variable) => variable.startsWith('JWT_PRIVATE_KEY'))).toEqual([]);
  });

  it('names each tickets pod in its enforcement receipts by the pod name', () => {
    const env = resolveEnv(mainContainer(workload(objects, 'tickets')), objects);
    expect(env.get('INSTANCE_ID')).toEqual({ from: 'field', fieldPath: 'metadata.name' });
  });

  it('runs auth in production mode with the signing key read from the mounted Secret', () => {
    const auth = workload(objects, 'auth');
    const container = mainContainer(auth);
    const values = knownValues(resolveEnv(container, objects));
    const keyFile = values.JWT_PRIVATE_KEY_FILE ?? '';
    const mount = container.volumeMounts?.find((candidate) => keyFile.startsWith(`${candidate.mountPath}/`));
    const volume = auth.pod.volumes?.find((candidate) => candidate.name === mount?.name);
    expect(mount?.readOnly).toBe(true);
    expect(volume?.secret?.secretName).toMatch(/^veto-auth-signing-key(-[a-z0-9]{10})?$/);
    expect(values.JWT_PRIVATE_KEY).toBeUndefined();
    const secret = objects.find((object) => object.kind === 'Secret' && object.metadata.name === volume?.secret?.secretName);
    if (overlay === 'local') {
      expect(Object.keys((secret?.data ?? {}) as object)).toEqual([keyFile.slice(`${mount?.mountPath}/`.length)]);
    } else {
      expect(secret).toBeUndefined(); // created with kubectl by the operator, never rendered from the repository
    }
  });

  if (overlay === 'local') {
    it('starts every service: its own loadConfig accepts the complete environment, Secrets included', () => {
      for (const service of SERVICES) {
        const env = resolveEnv(mainContainer(workload(objects, service.name)), objects);
        expect([...env.values()].filter((source) => source.from === 'external-secret')).toEqual([]);
        expect(() => service.loadConfig(knownValues(env))).not.toThrow();
      }
    });
  }
});
