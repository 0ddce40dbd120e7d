import { join } from 'node:path';
import { startScript, type RunningScript } from '@veto/service-kit/testing';

/**
 * Starts `src/main.ts` in a child Node process (through tsx) with exactly the given environment
 * plus PATH, so tests exercise the real start-up, configuration errors and shutdown.
 *
 * @param env - the service's environment variables
 * @example
 * const run = startMain({ PORT: '0', VETO_ENV: 'local', DATA_DIR: dir });
 * const { port } = await run.waitForLog('signals service listening');
 */
export function startMain(env: Record<string, string>): RunningScript {
  return startScript({ script: join(__dirname, '..', 'main.ts'), env });
}
