// The workspace's packages as pnpm-workspace.yaml names them, with their manifests, for the
// tests that check every package (build configuration, public entries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** The fields of a package.json these checks read. */
export interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports?: Record<string, string | { default?: string; types?: string }>;
}

/**
 * Every workspace package below `root` (the root package itself excluded), sorted by directory.
 * @param root the workspace root
 * @example
 * workspacePackages(root).find((pkg) => pkg.manifest.name === '@veto/events')?.dir; // 'packages/events'
 */
export function workspacePackages(root: string): { dir: string; manifest: Manifest }[] {
  const workspace = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const list = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(workspace)?.[1] ?? '';
  const globs = [...list.matchAll(/^\s+-\s+['"]?([^'"\s]+)/gm)].map((match) => match[1]!);
  const dirs = globs.flatMap((glob) => (glob.endsWith('/*') ? ts.sys.getDirectories(join(root, glob.slice(0, -2))).map((name) => `${glob.slice(0, -2)}/${name}`) : [glob]));
  return dirs
    .filter((dir) => ts.sys.fileExists(join(root, dir, 'package.json')))
    .sort()
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest }));
}
