import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { registeredRoutes } from './registered-routes';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Every `veto_…` or `http_…` metric a `new Counter/Gauge/Histogram({ name: '…' })` registers in the sources. */
function registeredMetrics(): string[] {
  const files = ['packages', 'services'].flatMap((top) =>
    readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.includes(`src`) && file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.includes('node_modules') && !file.includes('dist'))
      .map((file) => join(root, top, file)),
  );
  const names = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bname: '((?:veto|http)_[a-z_]+)'/g)].map((match) => match[1] ?? ''));
  return [...new Set(names)].sort();
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('docs/api.md', () => {
  const api = read('docs/api.md');
  const documented = new Set([...api.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE) \/[^`\s]*)`/g)].map((match) => match[1]));

  it.each(['auth', 'tickets', 'signals'])('lists every route the %s service registers', (service) => {
    const routes = registeredRoutes(join(root, 'services', service));
    expect(routes.length).toBeGreaterThan(5);
    expect(routes.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('lists no route that no service registers', () => {
    const registered = new Set(['auth', 'tickets', 'signals'].flatMap((service) => registeredRoutes(join(root, 'services', service))));
    expect([...documented].filter((route) => !registered.has(route as never))).toEqual([]);
  });
});

describe('docs/operations.md', () => {
  const operations = read('docs/operations.md');

  it('describes every metric the code registers, and only those', () => {
    const registered = registeredMetrics();
    expect(registered).toEqual(expect.arrayContaining(['http_request_duration_seconds', 'veto_outbox_pending', 'veto_auth_revocation_cache_entries']));
    const table = [...operations.matchAll(/^\| `((?:veto|http)_[a-z_]+)` \|/gm)].map((match) => match[1]);
    expect([...new Set(table)].sort()).toEqual(registered);
  });
});

describe.each(['docs/architecture.md', 'docs/operations.md', 'docs/api.md', 'infra/k8s/README.md'])('%s', (document) => {
  const text = read(document);

  it('links only to files and headings that exist', () => {
    const broken = [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((match) => match[1] ?? '')
      .filter((target) => !/^[a-z]+:/.test(target))
      .filter((target) => {
        const [file = '', anchor] = target.split('#');
        const path = file === '' ? document : relative(root, join(root, dirname(document), file));
        let linked: string;
        try {
          linked = read(path);
        } catch {
          return true;
        }
        if (anchor === undefined || !path.endsWith('.md')) {
          return false;
        }
        const anchors = [...linked.matchAll(/^#{1,6} (.+)$/gm)].map((heading) => anchorOf(heading[1] ?? ''));
        return !anchors.includes(anchor);
      });
    expect(broken).toEqual([]);
  });
});
