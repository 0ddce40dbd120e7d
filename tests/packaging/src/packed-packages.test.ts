import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { createVetoDeployment, freePort, request, startServiceProcess, waitUntil, type ServiceProcess, type VetoDeployment } from '@veto/e2e';
import { startNatsServer, type NatsServerHandle } from '@veto/events/testing';
import { installExample, type ConsumerProject } from './consumer-project';
import { packPublishable, PUBLISHABLE_PACKAGES, REPOSITORY, type PackedPackage } from './publishable-packages';
import { unpackTarball, type UnpackedTarball } from './unpack-tarball';

// Bounds on a stuck step, not speed checks: a cold build of the workspace and two npm installs
// took minutes on a 2-core machine shared with other test runs.
const SETUP_TIMEOUT_MS = 900_000;
const EXAMPLES = ['express', 'fastify'] as const;
const ROOT_ENGINES = (JSON.parse(readFileSync(join(REPOSITORY, 'package.json'), 'utf8')) as { engines: { node: string } }).engines;

let work: string;
let packed: PackedPackage[];
const unpacked = new Map<string, UnpackedTarball>();
const projects = new Map<string, ConsumerProject>();
let nats: NatsServerHandle | undefined;
let deployment: VetoDeployment | undefined;
let auth: ServiceProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'veto-packaging-'));
  packed = await packPublishable(join(work, 'tarballs'));
  for (const { dir, tarball } of packed) unpacked.set(dir, await unpackTarball(tarball, join(work, 'unpacked', basename(dir))));
  nats = await startNatsServer();
  deployment = await createVetoDeployment({ natsUrl: nats.url, label: 'packaging' });
  auth = deployment.startAuth();
  const tarballs = packed.map((p) => p.tarball);
  const installed = await Promise.all(EXAMPLES.map((example) => installExample(example, tarballs)));
  installed.forEach((project, index) => projects.set(EXAMPLES[index] as string, project));
  await auth.waitReady();
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await auth?.stop();
  await nats?.cleanup();
  await deployment?.cleanup();
  for (const project of projects.values()) rmSync(project.dir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

function packageOf(dir: string): UnpackedTarball {
  const result = unpacked.get(dir);
  if (!result) throw new Error(`${dir} was not packed`);
  return result;
}

describe.each(PUBLISHABLE_PACKAGES)('the packed manifest of %s', (dir) => {
  it('names real versions, never workspace: ranges', () => {
    const { manifest } = packageOf(dir);
    expect(JSON.stringify(manifest)).not.toContain('workspace:');
    expect(manifest.private).toBeUndefined();
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const [name, range] of Object.entries((manifest.dependencies ?? {}) as Record<string, string>)) {
      if (name.startsWith('@veto/')) expect(range).toBe(packageOf(`packages/${name.slice('@veto/'.length)}`).manifest.version);
    }
  });

  it('declares what a registry and a consumer read', () => {
    const { manifest } = packageOf(dir);
    expect(manifest.description).toEqual(expect.any(String));
    expect(manifest.license).toBe('MIT');
    expect(manifest.engines).toEqual(ROOT_ENGINES);
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.files).toEqual(expect.arrayContaining(['dist', 'README.md', 'LICENSE']));
  });

  it('ships types and code for every export, and for main, types and bin', () => {
    const { manifest, files } = packageOf(dir);
    const exportsMap = manifest.exports as Record<string, Record<string, string>>;
    expect(Object.keys(exportsMap)).toContain('.');
    for (const [subpath, conditions] of Object.entries(exportsMap)) {
      expect({ subpath, conditions: Object.keys(conditions) }).toEqual({ subpath, conditions: ['types', 'default'] });
      expect(files).toEqual(expect.arrayContaining([posix.normalize(conditions.types as string), posix.normalize(conditions.default as string)]));
    }
    const bins = Object.values((manifest.bin ?? {}) as Record<string, string>);
    for (const file of [manifest.main, manifest.types, ...bins]) expect(files).toContain(posix.normalize(file as string));
  });

  it('holds the build, the README and the LICENSE, and no tests, sources or build state', () => {
    const { files } = packageOf(dir);
    expect(files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
    const unexpected = files.filter((file) => !['README.md', 'LICENSE', 'package.json'].includes(file) && !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(file));
    expect(unexpected).toEqual([]);
    // The test support that the ./testing entry re-exports ships; the rest of test-support/ does not.
    expect(files.filter((file) => /\.test\.|test-support\/(?!jwks-server\.|test-clock\.)|tsbuildinfo/.test(file))).toEqual([]);
  });

  it('resolves every relative require of its code inside the tarball (what ./testing needs is kept)', () => {
    const { root, files } = packageOf(dir);
    const missing: string[] = [];
    for (const file of files.filter((name) => name.endsWith('.js'))) {
      const code = readFileSync(join(root, file), 'utf8');
      for (const [, target] of code.matchAll(/require\("(\.[^"]+)"\)/g)) {
        const resolved = posix.join(posix.dirname(file), target as string);
        if (![`${resolved}.js`, resolved, `${resolved}/index.js`].some((candidate) => files.includes(candidate))) missing.push(`${file} → ${target}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('carries the sources inside its source maps, so no map points at a file the tarball lacks', () => {
    const { root, files } = packageOf(dir);
    const incomplete = files
      .filter((file) => file.endsWith('.js.map'))
      .filter((file) => {
        const map = JSON.parse(readFileSync(join(root, file), 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
        return map.sourcesContent?.length !== map.sources.length || map.sourcesContent.some((content) => typeof content !== 'string');
      });
    expect(incomplete).toEqual([]);
  });
});

describe.each(EXAMPLES)('examples/%s installed from the tarballs with npm outside the repository', (example) => {
  const project = () => {
    const installed = projects.get(example);
    if (!installed) throw new Error(`examples/${example} was not installed`);
    return installed;
  };

  it('lives outside the repository and installed @veto/* from the tarballs, not from a registry', () => {
    const { dir } = project();
    expect(dir.startsWith(REPOSITORY)).toBe(false);
    const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const { dir: packageDir, tarball } of packed) {
      const name = String(packageOf(packageDir).manifest.name);
      expect({ name, resolved: lock.packages[`node_modules/${name}`]?.resolved }).toEqual({
        name,
        resolved: expect.stringMatching(new RegExp(`^file:.*${basename(tarball).replace(/\./g, '\\.')}$`)),
      });
    }
  });

  it('compiled against the installed declarations, which really type the API', async () => {
    expect(readFileSync(join(project().dir, 'dist', 'main.js'), 'utf8')).toContain('@veto/auth-lib/');
    // A call the declarations forbid: were they missing or untyped, tsc would accept it.
    const entry = example === 'express' ? 'vetoExpress' : 'vetoFastify';
    const misuse = `import { ${entry} } from '@veto/auth-lib/${example}';\nimport { TokenError } from '@veto/auth-lib';\nimport { startNatsServer } from '@veto/events/testing';\nexport const typed = [TokenError, startNatsServer];\nexport const wrong: number = ${entry};\n`;
    const { code, output } = await project().typeCheck('misuse.ts', misuse);
    expect({ code, errors: output.match(/error TS\d+/g) }).toEqual({ code: 2, errors: ['error TS2322'] });
  });

  it('accepts a signed-in user, then answers 401 TOKEN_REVOKED once the admin bans her through the auth service', async () => {
    if (!deployment || !nats) throw new Error('the stack did not start');
    const port = await freePort();
    const service = startServiceProcess({
      name: `example-${example}`,
      service: example,
      port,
      env: { PORT: String(port), JWKS_URL: `${deployment.authUrl}/.well-known/jwks.json`, NATS_URL: nats.url },
      script: { cwd: project().dir, file: join(project().dir, 'dist', 'main.js') },
    });
    try {
      await service.waitReady();
      const user = await deployment.signUp(`${example}-${Date.now()}@example.com`);
      const before = await request('GET', `${service.url}/me`, { token: user.token });
      expect(before).toEqual({ status: 200, body: { userId: user.userId, role: 'user' } });
      expect(await request('GET', `${service.url}/me`)).toMatchObject({ status: 401, body: { code: 'TOKEN_MISSING' } });

      const admin = await deployment.adminToken();
      expect(await request('GET', `${service.url}/admin`, { token: admin })).toEqual({ status: 200, body: { admin: true } });
      expect((await deployment.ban(admin, user.userId)).status).toBe(200);

      let last: Response | undefined;
      await waitUntil(
        'the example refuses the banned user',
        async () => {
          last = await fetch(`${service.url}/me`, { headers: { authorization: `Bearer ${user.token}` } });
          return last.status !== 200;
        },
        60_000,
      );
      expect(last?.status).toBe(401);
      expect(last?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await last?.json()).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    } finally {
      const code = await service.stop();
      expect({ code, output: code === 0 ? '' : service.output() }).toEqual({ code: 0, output: '' });
    }
  });
});
