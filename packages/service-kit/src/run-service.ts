import { ServiceError } from './service-error';

/** A start-up error that names the environment variable to fix (`ConfigError` and its kin). */
function namedVariable(error: unknown): string | undefined {
  return error instanceof ServiceError && 'variable' in error && typeof error.variable === 'string' ? error.variable : undefined;
}

/**
 * Runs a service's `main` and turns a start-up failure into one line on stderr and exit code 1:
 * a configuration error names its variable, anything else prints its stack.
 *
 * @param name - the service's name, prefixing the line
 * @param main - the start-up; it resolves once the service is up (it keeps running after that)
 * @param exit - ends the process; `process.exit` unless a test injects another
 * @example
 * runService('tickets', main);
 * // tickets: configuration error (PORT): PORT is invalid: Too big: expected number to be <=65535
 */
export function runService(name: string, main: () => Promise<void>, exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  return main().catch((error: unknown) => {
    const variable = namedVariable(error);
    if (variable !== undefined) {
      process.stderr.write(`${name}: configuration error (${variable}): ${(error as Error).message}\n`);
    } else {
      process.stderr.write(`${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    exit(1);
  });
}
