// The workspace as the import rules see it: its packages (from pnpm-workspace.yaml and their
// manifests), the package that owns a file, and whether a file is production code. Read once
// per lint run; the rules ask it for every import.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name the manifest's name, e.g. `@veto/events`
 * @property {string} dir the directory relative to the workspace root, `/`-separated (`.` for the root)
 * @property {Record<string, unknown>} manifest the parsed package.json
 */

const defaultRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

// One lint run reads the manifests once; ESLint asks for the workspace once per file.
const cache = new Map();

/** The `packages:` globs of pnpm-workspace.yaml (`dir/*` or a plain directory). */
function workspaceGlobs(root) {
  const text = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:[ \t]+-.*\n?)+)/m.exec(text);
  if (!block) throw new Error('pnpm-workspace.yaml lists no packages');
  return block[1]
    .split('\n')
    .map((line) =>
      line
        .replace(/^\s*-\s*/, '')
        .replace(/^['"]|['"]$/g, '')
        .trim(),
    )
    .filter(Boolean);
}

function readManifest(dir) {
  const path = join(dir, 'package.json');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

/**
 * Reads the workspace at `root`: the root package and every package pnpm-workspace.yaml names.
 * @param {string} [root] the workspace root (default: this repository's)
 * @example
 * const workspace = readWorkspace();
 * workspace.byName.get('@veto/events')?.dir; // 'packages/events'
 */
export function readWorkspace(root = defaultRoot) {
  const cached = cache.get(root);
  if (cached) return cached;
  /** @type {WorkspacePackage[]} */
  const packages = [{ name: readManifest(root).name, dir: '.', manifest: readManifest(root) }];
  for (const glob of workspaceGlobs(root)) {
    const dirs = glob.endsWith('/*')
      ? readdirSync(join(root, glob.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `${glob.slice(0, -2)}/${entry.name}`)
      : [glob];
    for (const dir of dirs) {
      const manifest = readManifest(join(root, dir));
      if (manifest) packages.push({ name: manifest.name, dir, manifest });
    }
  }
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]));
  // Longest directory first, so a file belongs to its innermost package and only then to the root.
  const byDepth = [...packages].sort((a, b) => b.dir.length - a.dir.length);

  /** The workspace-relative, `/`-separated form of an absolute path. */
  const toRelative = (path) => relative(root, path).split(sep).join('/');

  /** The package whose directory holds `relativePath` (the root package when none does). */
  const ownerOf = (relativePath) => byDepth.find((pkg) => pkg.dir === '.' || relativePath === pkg.dir || relativePath.startsWith(`${pkg.dir}/`));

  // A project inside the tree but outside the workspace (an example that installs the packages as
  // a consumer would) answers for its own imports: the closest package.json on disk.
  const manifests = new Map();
  /** The package whose package.json is closest above `relativePath`, in the workspace or not. */
  const manifestOf = (relativePath) => {
    for (let dir = posix.dirname(relativePath); ; dir = posix.dirname(dir)) {
      const known = byDepth.find((pkg) => pkg.dir === dir);
      if (known) return { ...known, inWorkspace: true };
      if (!manifests.has(dir)) manifests.set(dir, readManifest(join(root, dir)));
      const manifest = manifests.get(dir);
      if (manifest) return { name: manifest.name, dir, manifest, inWorkspace: false };
      if (dir === '.' || dir === '/') return { ...packages[0], inWorkspace: true };
    }
  };

  const workspace = { root, packages, byName, toRelative, ownerOf, manifestOf };
  cache.set(root, workspace);
  return workspace;
}

/**
 * Whether a workspace-relative file is test support: a test, a test directory, a `./testing`
 * entry, a test helper, or any file of a test package (`tests/*`, the private `packages/test-kit`).
 * @param {string} relativePath
 * @example
 * isTestFile('packages/events/src/testing.ts'); // true
 */
export function isTestFile(relativePath) {
  return (
    // Import targets may come without an extension (`./testing`), files always have one.
    /\.test(\.[cm]?[jt]s)?$/.test(relativePath) ||
    /(^|\/)(test|test-support|testing|__tests__)\//.test(relativePath) ||
    /(^|\/)testing(\.[cm]?[jt]s)?$/.test(relativePath) ||
    /^tests\//.test(relativePath) ||
    /^packages\/test-kit\//.test(relativePath)
  );
}

/**
 * Whether a workspace-relative file is production code: what a package ships or a service runs
 * (`src/` and `bin/` of packages, services and infra), less its test support.
 * @param {string} relativePath
 * @example
 * isProductionFile('services/auth/src/main.ts'); // true
 */
export function isProductionFile(relativePath) {
  return /^(packages|services|infra)\/[^/]+\/(src|bin)\//.test(relativePath) && !isTestFile(relativePath);
}

/**
 * The package name of a bare specifier: `@scope/name` or `name`, without a subpath.
 * @param {string} specifier
 * @example
 * packageNameOf('@veto/events/testing'); // '@veto/events'
 */
export function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
