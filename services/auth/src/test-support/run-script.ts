import { join } from 'node:path';
import { startScript as startServiceScript, type RunningScript, type ScriptResult } from '@veto/service-kit/testing';

export type { RunningScript, ScriptResult } from '@veto/service-kit/testing';

/**
 * Starts `services/auth/src/<script>` in a child Node process (via tsx), with exactly
 * the given environment plus PATH, so tests exercise the real start-up and exit paths.
 *
 * @param script - path under `src/`, e.g. `main.ts`
 * @param args - command-line arguments
 * @param env - the environment variables of the service
 * @example
 * const run = startScript('main.ts', [], { VETO_ENV: 'local', PORT: '0', DATA_DIR: dir });
 * await run.waitForLine((line) => line.includes('listening'));
 */
export function startScript(script: string, args: readonly string[], env: Record<string, string>): RunningScript {
  // `--import tsx` resolves from the package's own directory, where tsx is a dev dependency.
  return startServiceScript({ script: join(__dirname, '..', script), args, env, cwd: join(__dirname, '..', '..') });
}

/**
 * Runs a script to completion.
 *
 * @param script - path under `src/`
 * @param args - command-line arguments
 * @param env - environment variables
 * @returns exit code and output
 * @example
 * const { code, stderr } = await runScript('main.ts', [], {});
 */
export function runScript(script: string, args: readonly string[], env: Record<string, string>): Promise<ScriptResult> {
  return startScript(script, args, env).exited;
}
