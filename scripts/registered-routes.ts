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
 * `create…Routes` router in `src/entry-points/http` with the prefix `src/app.ts` mounts it at.
 * Routers the app does not mount are left out.
 *
 * @param serviceDir - the service's directory (`services/auth`)
 * @returns the routes, sorted
 */
export function registeredRoutes(serviceDir: string): RouteName[] {
  const app = readFileSync(join(serviceDir, 'src', 'app.ts'), 'utf8');
  const httpDir = join(serviceDir, 'src', 'entry-points', 'http');
  const routes = readdirSync(httpDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .flatMap((file) => {
      const source = readFileSync(join(httpDir, file), 'utf8');
      const factory = FACTORY.exec(source)?.[1];
      const prefix = factory === undefined ? undefined : mountPrefix(app, factory);
      if (prefix === undefined) {
        return [];
      }
      return [...source.matchAll(ROUTE)].map(([, method = '', path = '']) => `${method.toUpperCase()} ${prefix}${path === '/' && prefix !== '' ? '' : path}` as RouteName);
    });
  return [...new Set(routes)].sort();
}
