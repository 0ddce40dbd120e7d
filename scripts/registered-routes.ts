import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One HTTP route a service registers, as `METHOD /path`. */
export type RouteName = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

const ROUTE = /\brouter\.(get|post|put|patch|delete)\(\s*'([^']+)'/g;
const FACTORY = /export function (create\w+Routes)\(/;

function mountPrefix(app: string, factory: string): string | undefined {
  const mounted = new RegExp(`app\\.use\\(\\s*(?:'([^']*)'\\s*,[^;]*?)?\\b${factory}\\(`).exec(app);
  return mounted === null ? undefined : (mounted[1] ?? '');
}

/**
 * The routes a service's express app registers, read from its sources: each
 * `create…Routes` router in `src/entry-points/http` with the prefix `src/app.ts` mounts it at,
 * or, for a router another router mounts (`router.use(create…Routes(…))`), that router's prefix.
 * Routers nothing mounts are left out.
 *
 * @param serviceDir - the service's directory (`services/auth`)
 * @returns the routes, sorted
 */
export function registeredRoutes(serviceDir: string): RouteName[] {
  const app = readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8');
  const httpDir = join(serviceDir, 'src', 'entry-points', 'http');
  const routers = readdirSync(httpDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(join(httpDir, file), 'utf8'))
    .flatMap((source) => {
      const factory = FACTORY.exec(source)?.[1];
      return factory === undefined ? [] : [{ factory, source }];
    });
  const prefixOf = (factory: string, seen: ReadonlySet<string> = new Set()): string | undefined => {
    const mounted = mountPrefix(app, factory);
    if (mounted !== undefined) return mounted;
    const parent = routers.find((router) => !seen.has(router.factory) && new RegExp(`\\brouter\\.use\\(\\s*${factory}\\(`).test(router.source));
    return parent === undefined ? undefined : prefixOf(parent.factory, new Set([...seen, factory]));
  };
  const routes = routers.flatMap(({ factory, source }) => {
    const prefix = prefixOf(factory);
    if (prefix === undefined) {
      return [];
    }
    return [...source.matchAll(ROUTE)].map(([, method = '', path = '']) => `${method.toUpperCase()} ${prefix}${path === '/' && prefix !== '' ? '' : path}` as RouteName);
  });
  return [...new Set(routes)].sort();
}
