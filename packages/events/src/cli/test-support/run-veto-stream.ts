import { execFile } from 'node:child_process';
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
    execFile(
      process.execPath,
      ['--import', TSX, VETO_STREAM_CLI, ...args],
      { timeout: 30_000, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}
