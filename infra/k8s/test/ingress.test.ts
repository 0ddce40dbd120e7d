import { PUBLIC_ROUTES } from '@veto/local-stack';
import { findObject, kustomizeAvailable, OVERLAYS, renderOverlay } from './rendered-manifests';

interface IngressPath {
  readonly path: string;
  readonly pathType: string;
  readonly backend: { readonly service: { readonly name: string; readonly port: { readonly name?: string } } };
}

interface IngressSpec {
  readonly rules: readonly { readonly host?: string; readonly http: { readonly paths: readonly IngressPath[] } }[];
  readonly tls?: readonly { readonly hosts: readonly string[]; readonly secretName: string }[];
}

(kustomizeAvailable() ? describe : describe.skip).each(OVERLAYS)('overlays/%s: the Ingress', (overlay) => {
  const objects = renderOverlay(overlay);
  const spec = findObject(objects, 'Ingress', 'veto').spec as IngressSpec;

  it("routes exactly the local gateway's public prefixes, to the same services, but the one it strips", () => {
    expect(spec.rules).toHaveLength(1);
    const routes = spec.rules[0]?.http.paths.map((path) => ({ prefix: path.path, service: path.backend.service.name })) ?? [];
    // A portable Ingress cannot strip a prefix: the gateway's /signals is local only (its issuer is
    // the gateway's /signals; here it is the site's origin, served at the root paths).
    expect(routes).toEqual(PUBLIC_ROUTES.filter((route) => route.stripPrefix === undefined));
    expect(PUBLIC_ROUTES.filter((route) => route.stripPrefix).map((route) => route.prefix)).toEqual(['/signals']);
  });

  it('sends the routes of the signals transmitter to signals, ahead of the shorter prefixes of auth', () => {
    const paths = spec.rules[0]?.http.paths ?? [];
    const serviceOf = (prefix: string) => paths.find((path) => path.path === prefix)?.backend.service.name;
    expect(['/.well-known/ssf-configuration', '/ssf', '/jwks.json', '/api/admin/receivers', '/api/admin/dead-letters'].map(serviceOf)).toEqual(Array(5).fill('signals'));
    expect(['/.well-known', '/api/admin'].map(serviceOf)).toEqual(['auth', 'auth']);
  });

  it("matches by prefix, on the Services' http ports", () => {
    for (const path of spec.rules[0]?.http.paths ?? []) {
      expect([path.pathType, path.backend.service.port.name]).toEqual(['Prefix', 'http']);
      const service = findObject(objects, 'Service', path.backend.service.name).spec as { ports: { name: string }[] };
      expect(service.ports.map((port) => port.name)).toContain('http');
    }
  });

  it(overlay === 'cluster' ? 'serves one host over TLS (the cookies are Secure)' : 'answers any host over plain http (local cookies)', () => {
    if (overlay === 'cluster') {
      expect(spec.tls).toEqual([{ hosts: [spec.rules[0]?.host], secretName: 'veto-tls' }]);
    } else {
      expect([spec.tls, spec.rules[0]?.host]).toEqual([undefined, undefined]);
    }
  });
});
