import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const REPOSITORY = join(__dirname, '..', '..', '..');

/** The workspace packages a user's service installs; everything else stays private. */
export const PUBLISHABLE_PACKAGES = ['packages/events', 'packages/auth-lib'] as const;

/** One packed package: its workspace folder and the tarball `pnpm pack` wrote. */
export interface PackedPackage {
  readonly dir: string;
  readonly tarball: string;
}

/**
 * Builds the workspace (incrementally, as `pnpm build`) and packs every publishable package
 * with `pnpm pack`, which replaces `workspace:*` by the real versions, into `destination`.
 *
 * @example
 * const packed = await packPublishable(join(work, 'tarballs'));
 */
export async function packPublishable(destination: string): Promise<PackedPackage[]> {
  mkdirSync(destination, { recursive: true });
  await run(process.execPath, [join(REPOSITORY, 'scripts', 'build.mjs')], { cwd: REPOSITORY });
  const packed: PackedPackage[] = [];
  for (const dir of PUBLISHABLE_PACKAGES) {
    const before = new Set(readdirSync(destination));
    await run('pnpm', ['pack', '--pack-destination', destination], { cwd: join(REPOSITORY, dir) });
    const written = readdirSync(destination).filter((name) => !before.has(name));
    if (written.length !== 1) throw new Error(`pnpm pack in ${dir} wrote ${written.length} files: ${written.join(', ')}`);
    packed.push({ dir, tarball: join(destination, written[0] as string) });
  }
  return packed;
}
