import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { writeLocalSecrets } from '../src/local-secrets';

/** The directory holding base/, components/ and overlays/. */
export const K8S_DIR = join(__dirname, '..');

/** The repository root. */
export const REPO_DIR = join(K8S_DIR, '..', '..');

/** A Kubernetes object as kustomize renders it; tests read it structurally. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** The overlays a deployment is built from. */
export const OVERLAYS = ['local', 'cluster'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/**
 * Whether `kubectl kustomize` can build the manifests here. CI's machine has kubectl, so there
 * a missing one fails the run; elsewhere the rendered-manifest tests are skipped with a notice.
 */
export function kustomizeAvailable(): boolean {
  const found = spawnSync('kubectl', ['kustomize', '--help'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env.CI !== undefined) {
    throw new Error('kubectl (with kustomize) is required in CI to build infra/k8s');
  }
  if (!found) {
    process.stderr.write('[k8s tests] kubectl not found: the tests of the rendered manifests are skipped\n');
  }
  return found;
}

/**
 * Parses a multi-document YAML text.
 *
 * @throws {Error} naming the first document that has a syntax error
 */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(`${source}, document ${index + 1}: ${document.errors.map((error) => error.message).join('; ')}`);
    }
    return document.toJS() as unknown;
  });
}

const rendered = new Map<Overlay, K8sObject[]>();

/**
 * The objects `kubectl kustomize` builds for an overlay. The build runs on a copy of infra/k8s
 * whose local Secret files are freshly generated, so it never reads a developer's secrets and
 * works on a clean clone. Cached per overlay for the test process.
 */
export function renderOverlay(overlay: Overlay): K8sObject[] {
  const cached = rendered.get(overlay);
  if (cached !== undefined) {
    return cached;
  }
  const copy = mkdtempSync(join(tmpdir(), 'veto-k8s-'));
  try {
    for (const part of ['base', 'components', 'overlays']) {
      cpSync(join(K8S_DIR, part), join(copy, part), { recursive: true, filter: (source) => !source.includes(join('overlays', 'local', 'secrets')) });
    }
    writeLocalSecrets(join(copy, 'overlays', 'local', 'secrets'));
    const output = execFileSync('kubectl', ['kustomize', join(copy, 'overlays', overlay)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const objects = parseYamlDocuments(output, `overlays/${overlay}`) as K8sObject[];
    rendered.set(overlay, objects);
    return objects;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

/** The one object of a kind and name. */
export function findObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
  const [found, ...more] = objects.filter((object) => object.kind === kind && object.metadata.name === name);
  if (found === undefined || more.length > 0) {
    throw new Error(`expected one ${kind} ${name}, found ${more.length + (found === undefined ? 0 : 1)}`);
  }
  return found;
}

/** The one object of a kind whose name starts with `prefix-` (kustomize appends a content hash to generated names). */
export function findGenerated(objects: readonly K8sObject[], kind: 'ConfigMap' | 'Secret', prefix: string): K8sObject | undefined {
  const pattern = new RegExp(`^${prefix}(-[a-z0-9]{10})?$`);
  return objects.find((object) => object.kind === kind && pattern.test(object.metadata.name));
}
