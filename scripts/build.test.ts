import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { workspacePackages, type Manifest } from './workspace-packages';

const root = join(__dirname, '..');
const BUILD_SCRIPT = join(root, 'scripts', 'build.mjs');

interface BuildConfig {
  compilerOptions?: Record<string, unknown>;
  references?: { path: string }[];
}

function readConfig(path: string): BuildConfig {
  const { config, error } = ts.readConfigFile(path, ts.sys.readFile);
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  return config as BuildConfig;
}

/** The workspace's packages that have a build (they emit dist/), by name, as directories relative to the root. */
function builtPackages(): Map<string, string> {
  return new Map(
    workspacePackages(root)
      .filter(({ manifest }) => manifest.scripts?.build)
      .map(({ dir, manifest }) => [manifest.name, dir]),
  );
}

/** The workspace's packages that run from their sources (tests, tooling): the build type-checks them. */
function checkedPackages(): { dir: string; manifest: Manifest }[] {
  return workspacePackages(root).filter(({ manifest }) => !manifest.scripts?.build);
}

/**
 * The tsconfig.build.json of the emitting workspace packages that a package depends on, relative to
 * it. An emitting package builds its production sources only, so the test kit its tests use is no
 * reference of it; a package checked from its sources reaches, through a source-only package it
 * depends on (`@veto/e2e`), that package's dependencies too.
 */
function expectedReferences(dir: string, manifest: Manifest, packages: Map<string, string>): string[] {
  const sources = new Map(checkedPackages().map((pkg) => [pkg.manifest.name, pkg.manifest]));
  const emitting = manifest.scripts?.build !== undefined;
  const found = new Set<string>();
  const visit = (from: Manifest): void => {
    for (const name of Object.keys({ ...from.dependencies, ...from.devDependencies })) {
      if (packages.has(name) && !(emitting && name === '@veto/test-kit')) found.add(name);
      const source = sources.get(name);
      if (source !== undefined && !found.has(name)) {
        found.add(name);
        visit(source);
      }
    }
  };
  visit(manifest);
  return [...found]
    .filter((name) => packages.has(name))
    .map((name) => relative(join(root, dir), join(root, packages.get(name)!, 'tsconfig.build.json')))
    .sort();
}

describe('the workspace build configuration', () => {
  const packages = builtPackages();

  it.each([...packages.values()])('%s keeps its build info in dist and references the workspace packages it depends on', (dir) => {
    const config = readConfig(join(root, dir, 'tsconfig.build.json'));
    expect(config.compilerOptions).toMatchObject({ composite: true, outDir: 'dist' });
    expect(String(config.compilerOptions?.tsBuildInfoFile)).toMatch(/^dist\//);

    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    expect((config.references ?? []).map((reference) => reference.path).sort()).toEqual(expectedReferences(dir, pkg, packages));
    expect(pkg.scripts?.build).toContain('tsc -b tsconfig.build.json');
  });

  // A test package or tool has no dist to publish, but the workspace build still type-checks it on
  // its own, resolving @veto/* through node_modules to the built packages it declares.
  it.each(checkedPackages().map(({ dir, manifest }) => [dir, manifest] as const))('%s is type-checked by the build against the built packages it depends on', (dir, manifest) => {
    const config = readConfig(join(root, dir, 'tsconfig.build.json'));
    expect(config.compilerOptions).toMatchObject({ noEmit: true, incremental: true });
    expect(String(config.compilerOptions?.tsBuildInfoFile)).toMatch(/^dist\//);
    expect((config.references ?? []).map((reference) => reference.path).sort()).toEqual(expectedReferences(dir, manifest, packages));
  });

  it('builds for npm start (tsconfig.stack.json) what the local stack runs and everything those depend on', () => {
    const references = (readConfig(join(root, 'tsconfig.stack.json')).references ?? []).map((reference) => reference.path).sort();
    const manifests = new Map(workspacePackages(root).map(({ dir, manifest }) => [manifest.name, { dir, manifest }]));
    // The launcher runs services/auth, services/tickets and services/signals from their dist/ by path, not as dependencies.
    const needed = new Set(['services/auth', 'services/tickets', 'services/signals', 'infra/local-stack']);
    for (const dir of needed) {
      const manifest = [...manifests.values()].find((pkg) => pkg.dir === dir)?.manifest;
      for (const name of Object.keys(manifest?.dependencies ?? {})) {
        const dependency = manifests.get(name);
        if (dependency !== undefined && packages.has(name)) needed.add(dependency.dir);
      }
    }
    const expected = [...needed].map((dir) => `${dir}/tsconfig.build.json`).concat('packages/admin-console/tsconfig.web.json');
    expect(references).toEqual(expected.sort());
  });

  it('builds every package, and the admin console page, from the root tsconfig.build.json', () => {
    const references = (readConfig(join(root, 'tsconfig.build.json')).references ?? []).map((reference) => reference.path).sort();
    const expected = workspacePackages(root)
      .map(({ dir }) => `${dir}/tsconfig.build.json`)
      .concat('packages/admin-console/tsconfig.web.json');
    expect(references).toEqual(expected.sort());
    const web = readConfig(join(root, 'packages/admin-console/tsconfig.web.json')).compilerOptions;
    expect(web).toMatchObject({ incremental: true });
    expect(String(web?.tsBuildInfoFile)).toMatch(/^dist\//);
  });
});

/**
 * Two packages shaped like the workspace's (the compiler options of auth-lib's
 * tsconfig.build.json, tsconfig.base.json): `app` depends on `lib` through node_modules.
 */
function createFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'veto-build-'));
  const { compilerOptions } = readConfig(join(root, 'packages/auth-lib/tsconfig.build.json'));
  const write = (path: string, content: unknown) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  };
  const project = (references: string[]) => ({
    extends: join(root, 'tsconfig.base.json'),
    compilerOptions: { ...compilerOptions, types: [] },
    include: ['src'],
    references: references.map((name) => ({ path: `../${name}/tsconfig.build.json` })),
  });
  write('lib/package.json', { name: '@fixture/lib', main: './dist/index.js', types: './dist/index.d.ts' });
  write('lib/tsconfig.build.json', project([]));
  write('lib/src/index.ts', "export function greet(): string {\n  return 'one';\n}\n");
  write('app/package.json', { name: '@fixture/app', main: './dist/index.js' });
  write('app/tsconfig.build.json', project(['lib']));
  write('app/src/index.ts', "import { greet } from '@fixture/lib';\n\nexport const message: string = greet();\n");
  mkdirSync(join(dir, 'app/node_modules/@fixture'), { recursive: true });
  symlinkSync(join(dir, 'lib'), join(dir, 'app/node_modules/@fixture/lib'), 'dir');
  write('tsconfig.build.json', { files: [], references: [{ path: 'lib/tsconfig.build.json' }, { path: 'app/tsconfig.build.json' }] });
  return dir;
}

async function build(fixture: string): Promise<{ ok: boolean; report: string }> {
  try {
    const { stderr } = await promisify(execFile)(process.execPath, [BUILD_SCRIPT, join(fixture, 'tsconfig.build.json')]);
    return { ok: true, report: stderr };
  } catch (error) {
    return { ok: false, report: String((error as { stderr?: string }).stderr) };
  }
}

/** The projects the build script says it built; [] when it says everything was up to date. */
function builtProjects(report: string): string[] {
  const line = report.split('\n').find((text) => text.startsWith('[build] '));
  if (line?.startsWith('[build] up to date')) return [];
  const built = /^\[build\] built (.+) \(/.exec(line ?? '');
  if (!built) throw new Error(`no build summary in: ${report}`);
  return built[1]!
    .split(', ')
    .map((path) => path.replace('/tsconfig.build.json', ''))
    .sort();
}

function mtimes(dir: string): Record<string, number> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return Object.fromEntries(files.map((file) => [file, statSync(join(dir, file)).mtimeMs]));
}

async function runApp(fixture: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['-p', `require(${JSON.stringify(join(fixture, 'app/dist/index.js'))}).message`]);
  return stdout.trim();
}

describe('scripts/build.mjs on two dependent packages', () => {
  let fixture: string;

  beforeAll(async () => {
    fixture = createFixture();
    const first = await build(fixture);
    expect(first).toMatchObject({ ok: true });
    expect(builtProjects(first.report)).toEqual(['app', 'lib']);
  }, 60_000);

  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it('re-emits nothing when nothing changed', async () => {
    const before = { lib: mtimes(join(fixture, 'lib/dist')), app: mtimes(join(fixture, 'app/dist')) };
    const again = await build(fixture);
    expect(again).toMatchObject({ ok: true });
    expect(builtProjects(again.report)).toEqual([]);
    expect({ lib: mtimes(join(fixture, 'lib/dist')), app: mtimes(join(fixture, 'app/dist')) }).toEqual(before);
  }, 60_000);

  it('rebuilds a package whose source changed, and the dependent runs the new code', async () => {
    writeFileSync(join(fixture, 'lib/src/index.ts'), "export function greet(): string {\n  return 'two';\n}\n");
    const changed = await build(fixture);
    expect(changed).toMatchObject({ ok: true });
    expect(builtProjects(changed.report)).toContain('lib');
    expect(await runApp(fixture)).toBe('two');
  }, 60_000);

  it('rebuilds the dependents of a package whose declarations changed', async () => {
    writeFileSync(join(fixture, 'lib/src/index.ts'), "export function greet(name = 'three'): string {\n  return name;\n}\n");
    const changed = await build(fixture);
    expect(changed).toMatchObject({ ok: true });
    expect(builtProjects(changed.report)).toEqual(['app', 'lib']);
    expect(await runApp(fixture)).toBe('three');
  }, 60_000);

  it('rebuilds a package whose dist was deleted, and only that one', async () => {
    rmSync(join(fixture, 'app/dist'), { recursive: true });
    const rebuilt = await build(fixture);
    expect(rebuilt).toMatchObject({ ok: true });
    expect(builtProjects(rebuilt.report)).toEqual(['app']);
    expect(await runApp(fixture)).toBe('three');
  }, 60_000);

  it('fails when a dependent no longer type-checks against a changed package', async () => {
    writeFileSync(join(fixture, 'lib/src/index.ts'), 'export function greet(): number {\n  return 3;\n}\n');
    const broken = await build(fixture);
    expect(broken.ok).toBe(false);
    expect(broken.report).toContain('app/src/index.ts');
    expect(broken.report).toContain('[build] failed');
  }, 60_000);
});
