import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One HTTP route a service registers, as `METHOD /path`. */
export type RouteName = `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`;

const ROUTE = /\brouter\.(get|post|put|patch|delete)\(\s*(?:'([^']+)'|([A-Z_]+(?:\.\w+)?)\b(?!\())/g;
// A path constant: `export const NAME = '/…'`, or a member of `export const NAME = Object.freeze({ key: '/…', … })`.
const PATH_CONSTANT = /export const ([A-Z_]+) = '(\/[^']*)'/g;
const PATH_TABLE = /export const ([A-Z_]+) = Object\.freeze\(\{([^}]*)\}/g;
const PATH_MEMBER = /(\w+): '(\/[^']*)'/g;

/** The path constants of a service's sources, `NAME` or `NAME.key` → path, for routes registered with them. */
function pathConstants(sources: readonly string[]): Map<string, string> {
  const constants = new Map<string, string>();
  for (const source of sources) {
    for (const [, name = '', path = ''] of source.matchAll(PATH_CONSTANT)) constants.set(name, path);
    for (const [, name = '', body = ''] of source.matchAll(PATH_TABLE)) {
      for (const [, key = '', path = ''] of body.matchAll(PATH_MEMBER)) constants.set(`${name}.${key}`, path);
    }
  }
  return constants;
}

function sourcesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.includes('test-support'))
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}
const FACTORY = /export function (create\w+Routes)\(/;

function mountPrefix(app: string, factory: string): string | undefined {
  const mounted = new RegExp(`app\\.use\\(\\s*(?:'([^']*)'\\s*,[^;]*?)?\\b${factory}\\(`).exec(app);
  return mounted === null ? undefined : (mounted[1] ?? '');
}

/**
 * The routes a service's express app registers, read from its sources: each
 * `create…Routes` router in `src/entry-points/http` with the prefix `src/app.ts` mounts it at,
 * or, for a router another router mounts (`router.use(create…Routes(…))`), that router's prefix.
 * Routers nothing mounts are left out. A path given as a constant (`TRANSMITTER_PATHS.status`,
 * `POLL_PATH`) is read from the service's sources; a computed one (a call) is left out.
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
  const constants = pathConstants(sourcesOf(join(serviceDir, 'src')));
  const routes = routers.flatMap(({ factory, source }) => {
    const prefix = prefixOf(factory);
    if (prefix === undefined) {
      return [];
    }
    return [...source.matchAll(ROUTE)].flatMap(([, method = '', literal, constant = '']) => {
      const path = literal ?? constants.get(constant);
      return path === undefined ? [] : [`${method.toUpperCase()} ${prefix}${path === '/' && prefix !== '' ? '' : path}` as RouteName];
    });
  });
  return [...new Set(routes)].sort();
}
