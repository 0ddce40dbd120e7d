import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** The CLI's source; it runs through tsx, so tests exercise the current code without a build step. */
export const VETO_STREAM_CLI = join(__dirname, '..', 'veto-stream.ts');
/** The tsx loader, for `node --import`. */
export const TSX = require.resolve('tsx');

/** What one run of the CLI printed and returned. */
export interface VetoStreamRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `veto-stream` in a child process with only the given environment variables besides PATH,
 * so the machine's NATS_* variables never leak into a test.
 */
export function runVetoStream(args: readonly string[], env: Record<string, string> = {}): Promise<VetoStreamRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', TSX, VETO_STREAM_CLI, ...args], { timeout: 30_000, env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
    });
  });
}

/** Veto's own server configuration, whose users (`auth`, `tickets`) read their passwords from the environment. */
export const VETO_CONF = join(__dirname, '..', '..', '..', '..', '..', 'infra', 'nats', 'veto.conf');

/** A random password; nats-server reads a variable's value as a configuration token, so it starts with a letter (infra/nats/README.md). */
export const secret = (letter: string): string => `${letter}${randomBytes(12).toString('hex')}`;

/** Asserts that none of the secrets appears in anything the CLI printed. */
export function expectNoSecret(run: VetoStreamRun, secrets: readonly string[]): void {
  for (const value of secrets) {
    expect(run.stdout).not.toContain(value);
    expect(run.stderr).not.toContain(value);
  }
}
