import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { K8S_DIR, kustomizeAvailable, OVERLAYS, renderOverlay, type K8sObject } from './rendered-manifests';
import { workloads, type Workload } from './workloads';

interface Selector {
  readonly matchLabels?: Readonly<Record<string, string>>;
}

function matches(selector: Selector, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
}

/** Every Secret name a pod reads, from volumes, `env` and `envFrom`. */
function secretsReadBy(target: Workload): string[] {
  const fromVolumes = (target.pod.volumes ?? []).flatMap((volume) => (volume.secret?.secretName === undefined ? [] : [volume.secret.secretName]));
  const fromContainers = [...target.pod.containers, ...(target.pod.initContainers ?? [])].flatMap((container) => [
    ...(container.env ?? []).flatMap((variable) => (variable.valueFrom?.secretKeyRef?.name === undefined ? [] : [variable.valueFrom.secretKeyRef.name])),
    ...(container.envFrom ?? []).flatMap((source) => (source.secretRef?.name === undefined ? [] : [source.secretRef.name])),
  ]);
  return [...fromVolumes, ...fromContainers].map((name) => name.replace(/-[a-z0-9]{10}$/, ''));
}

function committedFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' || entry.name === 'secrets' ? [] : committedFiles(path);
    }
    return [path];
  });
}

// A PEM private key, or a password or connection string with a literal value (a `$VARIABLE`
// reference, as in veto.conf, is not a value).
const SECRET_VALUE = /PRIVATE KEY-----|^\s*(password|[\w-]+-password|[\w-]+-url)\s*[=:]\s*[^\s$]/m;

describe('infra/k8s security defaults', () => {
  it('commits no private key or password: Secrets come from git-ignored files or kubectl', () => {
    const leaking = committedFiles(K8S_DIR)
      .filter((file) => !file.includes(`${join('k8s', 'src')}`) && !file.includes(`${join('k8s', 'test')}`))
      .filter((file) => SECRET_VALUE.test(readFileSync(file, 'utf8')))
      .map((file) => relative(K8S_DIR, file));
    expect(leaking).toEqual([]);
    expect(['password=hunter2', 'auth-url: postgres://u:p@h/db', '-----BEGIN PRIVATE KEY-----'].filter((text) => SECRET_VALUE.test(text))).toHaveLength(3);
    expect(SECRET_VALUE.test('password: $VETO_NATS_AUTH_PASSWORD')).toBe(false);
    expect(readFileSync(join(K8S_DIR, '.gitignore'), 'utf8')).toMatch(/^overlays\/local\/secrets\/$/m);
  });

  (kustomizeAvailable() ? describe : describe.skip).each(OVERLAYS)('overlays/%s', (overlay) => {
    const objects = renderOverlay(overlay);
    const all = workloads(objects);

    it.each(all.map((target) => [target.name, target]))('%s runs as a non-root user on a read-only root filesystem, without privileges', (_name, target) => {
      expect(target.pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(target.pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(target.pod.automountServiceAccountToken).toBe(false);
      for (const container of target.pod.containers) {
        expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
    });

    it.each(all.map((target) => [target.name, target]))('%s requests and limits CPU and memory', (_name, target) => {
      for (const container of target.pod.containers) {
        expect(Object.keys(container.resources?.requests ?? {}).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(container.resources?.limits ?? {}).sort()).toEqual(['cpu', 'memory']);
      }
    });

    it('mounts the private signing key into auth and nothing else', () => {
      const readers = all.filter((target) => secretsReadBy(target).includes('veto-auth-signing-key')).map((target) => target.name);
      expect(readers).toEqual(['auth']);
    });

    it("mounts the signals service's signing key into signals and nothing else", () => {
      const readers = all.filter((target) => secretsReadBy(target).some((name) => name.startsWith('veto-signals-signing-key'))).map((target) => target.name);
      expect(readers).toEqual(['signals']);
    });

    it('shields every workload with more than one replica by a PodDisruptionBudget that selects exactly its pods', () => {
      const budgets = objects.filter((object): object is K8sObject & { spec: { selector: Selector } } => object.kind === 'PodDisruptionBudget');
      for (const target of all.filter((candidate) => candidate.replicas > 1)) {
        const covering = budgets.filter((budget) => matches(budget.spec.selector, target.selector));
        expect([target.name, covering.length]).toEqual([target.name, 1]);
        const others = all.filter((candidate) => candidate !== target && covering.some((budget) => matches(budget.spec.selector, candidate.selector)));
        expect(others).toEqual([]);
      }
    });

    it(overlay === 'local' ? 'runs PostgreSQL in the cluster' : 'runs no PostgreSQL: DATABASE_URL names an external server', () => {
      expect(all.some((target) => target.name === 'postgres')).toBe(overlay === 'local');
    });
  });
});
