import { ServiceError } from './service-error';

/** A start-up error that names the environment variable to fix (`ConfigError` and its kin). */
function namedVariable(error: unknown): string | undefined {
  return error instanceof ServiceError && 'variable' in error && typeof error.variable === 'string' ? error.variable : undefined;
}

/** The stable code of an expected failure (every package's errors carry one), or undefined. */
function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(error.code) ? error.code : undefined;
}

/**
 * Runs a service's `main` and turns a start-up failure into one line on stderr and exit code 1:
 * a configuration error names its variable, a coded error (`CONNECT_FAILED`, `JWKS_UNAVAILABLE`, ...)
 * prints its code and message, anything else prints its stack.
 *
 * @param name - the service's name, prefixing the line
 * @param main - the start-up; it resolves once the service is up (it keeps running after that)
 * @param exit - ends the process; `process.exit` unless a test injects another
 * @example
 * runService('tickets', main);
 * // tickets: configuration error (PORT): PORT is invalid: Too big: expected number to be <=65535
 * // tickets: failed to start (CONNECT_FAILED): cannot connect to NATS at nats://127.0.0.1:4222: gave up after 60000 ms (...)
 */
export function runService(name: string, main: () => Promise<void>, exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  return main().catch((error: unknown) => {
    const variable = namedVariable(error);
    const code = codeOf(error);
    if (variable !== undefined) {
      process.stderr.write(`${name}: configuration error (${variable}): ${(error as Error).message}\n`);
    } else if (code !== undefined) {
      // An expected failure, explained by its message: a stack would only hide it.
      process.stderr.write(`${name}: failed to start (${code}): ${(error as Error).message.replace(/\s*\n\s*/g, ' ')}\n`);
    } else {
      process.stderr.write(`${name}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    exit(1);
  });
}
