import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a tarball holds, as npm would extract it. */
export interface UnpackedTarball {
  /** The extracted `package/` directory. */
  readonly root: string;
  /** Every file, relative to `root`, with `/` separators. */
  readonly files: readonly string[];
  readonly manifest: Record<string, unknown>;
}

function listFiles(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name), root) : [relative(root, join(dir, entry.name)).split('\\').join('/')],
  );
}

/**
 * Extracts a package tarball into `destination` and reads its manifest.
 *
 * @example
 * const { manifest, files } = await unpackTarball(tarball, join(work, 'unpacked', 'events'));
 */
export async function unpackTarball(tarball: string, destination: string): Promise<UnpackedTarball> {
  mkdirSync(destination, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', destination]);
  const root = join(destination, 'package');
  return { root, files: listFiles(root, root).sort(), manifest: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown> };
}
