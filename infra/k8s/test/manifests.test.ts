import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { schemaProblems } from './kubernetes-schema';
import { typedFieldProblems } from './typed-fields';
import { K8S_DIR, kustomizeAvailable, OVERLAYS, parseYamlDocuments, renderOverlay } from './rendered-manifests';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' || entry.name === 'secrets' ? [] : yamlFiles(path);
    }
    return /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

describe('infra/k8s manifests', () => {
  const files = yamlFiles(K8S_DIR);

  it('finds the kustomizations of the base, the dev PostgreSQL component and both overlays', () => {
    const kustomizations = files.filter((file) => file.endsWith('kustomization.yaml')).map((file) => relative(K8S_DIR, file));
    expect(kustomizations.sort()).toEqual([
      'base/kustomization.yaml',
      'components/dev-postgres/kustomization.yaml',
      'overlays/cluster/kustomization.yaml',
      'overlays/local/kustomization.yaml',
    ]);
  });

  it.each(files.map((file) => [relative(K8S_DIR, file), file]))('parses %s as YAML', (_name, file) => {
    const documents = parseYamlDocuments(readFileSync(file, 'utf8'), file);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect(document).toEqual(expect.anything());
    }
  });

  (kustomizeAvailable() ? describe : describe.skip).each(OVERLAYS)('overlays/%s, built with kubectl kustomize', (overlay) => {
    it('builds, and every object is valid against the Kubernetes schema of its kind', () => {
      const objects = renderOverlay(overlay);
      expect(objects.length).toBeGreaterThan(10);
      const problems = objects.flatMap((object) => schemaProblems(object).map((problem) => `${object.kind} ${object.metadata.name}: ${problem}`));
      expect(problems).toEqual([]);
    });

    it('sets no field the Kubernetes API types do not define (strict, unlike the schema)', () => {
      expect(typedFieldProblems(renderOverlay(overlay))).toEqual([]);
    });

    it('puts every namespaced object into the veto namespace', () => {
      const objects = renderOverlay(overlay).filter((object) => object.kind !== 'Namespace');
      expect(objects.filter((object) => object.metadata.namespace !== 'veto').map((object) => `${object.kind} ${object.metadata.name}`)).toEqual([]);
    });
  });

  it('reports a misspelt field and an unknown kind (the strict check is not a no-op)', () => {
    const misspelt = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicaz: 3, selector: {}, template: {} } };
    const unknownKind = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } };
    expect(typedFieldProblems([misspelt, unknownKind])).toEqual([expect.stringMatching(/^Deployment x: .*replicaz/), expect.stringMatching(/^Widget w: /)]);
  });

  it('reports a schema violation (the validator is not a no-op)', () => {
    const broken = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { ports: [{ port: 'http' }] } };
    expect(schemaProblems(broken)).toEqual([expect.stringMatching(/port/)]);
    expect(schemaProblems({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([expect.stringMatching(/no schema/)]);
  });
});
