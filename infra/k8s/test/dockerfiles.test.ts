import { readFileSync } from 'node:fs';
import { SERVICE_NODE_FLAGS } from '@veto/local-stack';
import { join } from 'node:path';
import { lastArgs, parseDockerfile } from './dockerfile';
import { kustomizeAvailable, renderOverlay, REPO_DIR } from './rendered-manifests';
import { keyOf, SERVICES } from './services';
import { mainContainer, workload } from './workloads';

const BOOTSTRAP_PNPM = /PNPM_VERSION = '([\d.]+)'/.exec(readFileSync(join(REPO_DIR, 'scripts', 'bootstrap.mjs'), 'utf8'))?.[1];

// A service whose Dockerfile is still being written (issue 12) joins these tests once it exists.
describe.each(SERVICES)('services/$name/Dockerfile', (service) => {
  const stages = parseDockerfile(readFileSync(service.dockerfile, 'utf8'));
  const build = stages[0];
  const runtime = stages.at(-1);

  it('builds in one stage and runs from a fresh image holding only the deployed service', () => {
    expect(stages.map((stage) => stage.name)).toEqual(['build', 'runtime']);
    expect(runtime?.from).toBe(build?.from);
    const copies = runtime?.instructions.filter((instruction) => instruction.keyword === 'COPY').map((instruction) => instruction.args);
    expect(copies).toEqual(['--from=build /out ./']);
  });

  it('installs from the lockfile and deploys production dependencies only, with the pnpm of the bootstrap', () => {
    const runs = build?.instructions.filter((instruction) => instruction.keyword === 'RUN').map((instruction) => instruction.args) ?? [];
    expect(runs.join('\n')).toMatch(new RegExp(`install --offline --frozen-lockfile --filter @veto/${service.name}\\.\\.\\.`));
    expect(runs.join('\n')).toMatch(new RegExp(`--filter @veto/${service.name} deploy --prod /out`));
    expect(lastArgs(build ?? { from: '', name: undefined, instructions: [] }, 'ARG')).toBe(`PNPM_VERSION=${BOOTSTRAP_PNPM}`);
  });

  it("starts node dist/main.js with the local stack's node flags, as the package's start scripts do, as a numbered unprivileged user", () => {
    const packageJson = JSON.parse(readFileSync(join(service.sourceDir, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const command = ['node', ...SERVICE_NODE_FLAGS, 'dist/main.js'];
    expect(packageJson.scripts.start).toBe(command.join(' '));
    expect(packageJson.scripts['start:local']).toBe(`VETO_ENV=local ${command.join(' ')}`);
    expect(runtime && lastArgs(runtime, 'CMD')).toBe(JSON.stringify(command).replaceAll('","', '", "'));
    expect(runtime && lastArgs(runtime, 'USER')).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  });

  it("exposes the service's default PORT", () => {
    expect(runtime && lastArgs(runtime, 'EXPOSE')).toBe(keyOf(service, 'PORT')?.default);
  });

  (kustomizeAvailable() ? it : it.skip)('runs in Kubernetes as the image user and on the exposed port', () => {
    const target = workload(renderOverlay('cluster'), service.name);
    const [uid, gid] = (runtime && lastArgs(runtime, 'USER'))?.split(':').map(Number) ?? [];
    expect([target.pod.securityContext?.runAsUser, target.pod.securityContext?.runAsGroup]).toEqual([uid, gid]);
    expect(mainContainer(target).ports?.map((port) => String(port.containerPort))).toEqual([runtime && lastArgs(runtime, 'EXPOSE')]);
  });
});

describe('.dockerignore', () => {
  const ignored = readFileSync(join(REPO_DIR, '.dockerignore'), 'utf8').split('\n');

  it('keeps dependencies, build output, local data and local Secrets out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', '**/.data', 'infra/k8s/overlays/local/secrets']));
  });
});
