import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPOSITORY } from './publishable-packages';

const run = promisify(execFile);

/** A fresh project outside the repository holding a copy of one example, installed and compiled. */
export interface ConsumerProject {
  readonly dir: string;
  /** Type-checks one more file with the project's tsc and settings, answering tsc's exit code and output. */
  typeCheck(file: string, source: string): Promise<{ code: number; output: string }>;
}

/**
 * The environment npm runs with: without the `npm_config_*` variables pnpm and jest's parent set,
 * so the install behaves as in a user's shell.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm|pnpm)_/i.test(name)) env[name] = value;
  }
  return { ...env, npm_config_update_notifier: 'false' };
}

/**
 * Copies `examples/<example>` (package.json, tsconfig.json, src) into a new directory under
 * the OS temp directory, installs the tarballs and the example's dependencies with npm, and
 * compiles it with `npm run build` (tsc against the installed declarations).
 *
 * @param tarballs - every publishable package's tarball, so npm never asks the registry for `@veto/*`
 * @throws Error with npm's or tsc's output when the install or the build fails
 * @example
 * const project = await installExample('express', packed.map((p) => p.tarball));
 */
export async function installExample(example: string, tarballs: readonly string[]): Promise<ConsumerProject> {
  const dir = mkdtempSync(join(tmpdir(), `veto-example-${example}-`));
  const source = join(REPOSITORY, 'examples', example);
  for (const entry of ['package.json', 'tsconfig.json', 'src']) cpSync(join(source, entry), join(dir, entry), { recursive: true });
  const env = npmEnvironment();
  const step = async (args: string[]) => {
    try {
      return await run('npm', args, { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
      throw new Error(`npm ${args.join(' ')} failed in ${dir}:\n${stdout}\n${stderr}`);
    }
  };
  await step(['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs]);
  await step(['run', 'build']);
  return {
    dir,
    async typeCheck(file, text) {
      const config = join(dir, `tsconfig.${file}.json`);
      writeFileSync(join(dir, 'src', file), text);
      writeFileSync(config, JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: true }, include: [`src/${file}`] }));
      try {
        const { stdout } = await run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: dir });
        return { code: 0, output: stdout };
      } catch (err) {
        const { code, stdout = '' } = err as { code?: number; stdout?: string };
        return { code: code ?? -1, output: stdout };
      }
    },
  };
}
