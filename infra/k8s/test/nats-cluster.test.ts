import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findNatsServer } from '@veto/events/testing';
import { knownValues, resolveEnv } from './container-env';
import { findGenerated, K8S_DIR, kustomizeAvailable, OVERLAYS, renderOverlay, REPO_DIR, type K8sObject } from './rendered-manifests';
import { mainContainer, workload } from './workloads';

const NATS_DIR = join(REPO_DIR, 'infra', 'nats');

/** `user: NAME` followed by `password: $VARIABLE`, as veto.conf declares each user. */
function usersOf(conf: string): Map<string, string> {
  return new Map([...conf.matchAll(/user:\s*(\w+)\s+password:\s*\$(\w+)/g)].map((match) => [match[1] ?? '', match[2] ?? '']));
}

function natsConfigData(objects: readonly K8sObject[]): Record<string, string> {
  const configMap = findGenerated(objects, 'ConfigMap', 'nats-config');
  if (configMap === undefined) {
    throw new Error('no ConfigMap nats-config');
  }
  return configMap.data as Record<string, string>;
}

/** Runs `nats-server -t` (parse and check the configuration, then exit) on the ConfigMap's files. */
function checkWithNatsServer(data: Record<string, string>, env: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'veto-nats-conf-'));
  try {
    for (const [file, content] of Object.entries(data)) {
      writeFileSync(join(dir, file), content);
    }
    return execFileSync(findNatsServer(), ['-c', join(dir, 'nats.conf'), '-t'], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('NATS in Kubernetes', () => {
  it('uses infra/nats/veto.conf unchanged (copy it to infra/k8s/base/nats/veto.conf after changing it)', () => {
    expect(readFileSync(join(K8S_DIR, 'base', 'nats', 'veto.conf'), 'utf8')).toBe(readFileSync(join(NATS_DIR, 'veto.conf'), 'utf8'));
  });

  (kustomizeAvailable() ? describe : describe.skip).each(OVERLAYS)('overlays/%s', (overlay) => {
    const objects = renderOverlay(overlay);
    const nats = workload(objects, 'nats');
    const container = mainContainer(nats);
    const env = resolveEnv(container, objects);
    const data = natsConfigData(objects);
    const users = usersOf(data['veto.conf'] ?? '');

    it('runs a 3-node JetStream cluster whose routes name every pod of the StatefulSet', () => {
      expect([nats.kind, nats.replicas]).toEqual(['StatefulSet', 3]);
      const statefulSet = objects.find((object) => object.kind === 'StatefulSet' && object.metadata.name === 'nats') as K8sObject & {
        spec: { serviceName: string; volumeClaimTemplates: { metadata: { name: string } }[] };
      };
      const routes = [...(data['nats.conf'] ?? '').matchAll(/nats:\/\/([\w.-]+):6222/g)].map((match) => match[1]);
      expect(routes).toEqual([0, 1, 2].map((ordinal) => `nats-${ordinal}.${statefulSet.spec.serviceName}`));
      expect(
        objects.some(
          (object) => object.kind === 'Service' && object.metadata.name === statefulSet.spec.serviceName && (object.spec as { clusterIP?: string }).clusterIP === 'None',
        ),
      ).toBe(true);
      // JetStream's store is on the claim's volume, so a restarted pod keeps its streams.
      const args = container.args ?? [];
      const storeDir = args[args.indexOf('--store_dir') + 1] ?? '';
      expect(storeDir).not.toBe('');
      const dataMount = container.volumeMounts?.find((mount) => storeDir.startsWith(mount.mountPath));
      expect(statefulSet.spec.volumeClaimTemplates.map((claim) => claim.metadata.name)).toContain(dataMount?.name);
    });

    it('gives nats-server every variable its configuration references: nats-server -t accepts it', () => {
      const values: Record<string, string> = { ...knownValues(env), POD_NAME: 'nats-0' };
      for (const [variable, source] of env) {
        if (source.from === 'external-secret') {
          values[variable] = 'vExternalSecret'; // the cluster overlay's Secrets are created by the operator
        }
      }
      expect(checkWithNatsServer(data, values)).toBeDefined();
      const withoutOne = { ...values };
      delete withoutOne[[...users.values()][0] ?? ''];
      expect(() => checkWithNatsServer(data, withoutOne)).toThrow();
    });

    it('lets each service log in as its veto.conf user with the password nats-server reads for it', () => {
      expect([...users.keys()].sort()).toEqual(['auth', 'signals', 'tickets']);
      for (const service of ['auth', 'tickets', 'signals']) {
        const serviceEnv = resolveEnv(mainContainer(workload(objects, service)), objects);
        const user = knownValues(serviceEnv).NATS_USER ?? '';
        const passwordVariable = users.get(user);
        expect(passwordVariable).toBeDefined();
        const serverRef = container.env?.find((variable) => variable.name === passwordVariable)?.valueFrom?.secretKeyRef;
        const serviceRef = mainContainer(workload(objects, service)).env?.find((variable) => variable.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef;
        expect(serviceRef).toEqual(serverRef);
        expect(serviceRef).toBeDefined();
      }
    });

    it(`replicates the streams ${overlay === 'cluster' ? 'on all three servers' : 'once (a development cluster)'}`, () => {
      const shared = findGenerated(objects, 'ConfigMap', 'veto-shared')?.data as Record<string, string>;
      expect(shared.STREAM_REPLICAS).toBe(overlay === 'cluster' ? '3' : '1');
      expect(Number(shared.STREAM_REPLICAS)).toBeLessThanOrEqual(nats.replicas);
      const authEnv = resolveEnv(mainContainer(workload(objects, 'auth')), objects);
      expect(knownValues(authEnv).STREAM_REPLICAS).toBe(shared.STREAM_REPLICAS);
    });
  });
});
