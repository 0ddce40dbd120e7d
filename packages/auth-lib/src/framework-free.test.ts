import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

// The root entry stays framework-free (house style 1): only the adapters under express/ and
// fastify/ may import a web framework, and prom-client is loaded only when metrics are registered.
const ADAPTERS = ['express', 'fastify'];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ADAPTERS.includes(entry.name) || entry.name === 'test-support' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the root entry of @veto/auth-lib', () => {
  it.each(sources(__dirname).map((path) => relative(__dirname, path)))('%s imports no web framework and no prom-client statically', (file) => {
    const text = readFileSync(join(__dirname, file), 'utf8');
    expect(text).not.toMatch(/from '(express|fastify|fastify-plugin)'/);
    expect(text).not.toMatch(/namespace Express/);
    expect(text).not.toMatch(/^import (?!type)[^;]*from 'prom-client'/m);
  });
});
