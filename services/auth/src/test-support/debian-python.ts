import { spawnSync } from 'node:child_process';

/**
 * Debian's own Python, not a pyenv one earlier on PATH: the interop tests use the client
 * libraries a Debian host has (python3-jwt, python3-authlib), installed by `scripts/bootstrap.mjs`.
 */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/**
 * Fails (never skips) when Debian's Python cannot import a client library, saying how to get it.
 *
 * @param module - the Python module, e.g. `jwt`
 * @param debianPackage - the Debian package holding it, e.g. `python3-jwt`
 * @throws Error naming the package and the bootstrap command
 * @example
 * requireDebianPythonModule('jwt', 'python3-jwt');
 */
export function requireDebianPythonModule(module: string, debianPackage: string): void {
  const probe = spawnSync(DEBIAN_PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `${DEBIAN_PYTHON} cannot import ${module}: run \`node scripts/bootstrap.mjs\`, which installs ${debianPackage}.\n${probe.stderr ?? probe.error?.message ?? ''}`,
    );
  }
}
