import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runDemo } from './demo';
import { ConfigError, LocalStackError } from './errors';
import { loadStackConfig } from './stack-config';
import { ADMIN_FILE, type AdminCredentials } from './stack-secrets';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const config = loadStackConfig(process.env, REPOSITORY_ROOT);
  const baseUrl = process.env.VETO_URL || `http://localhost:${config.gatewayPort}`;
  const adminFile = join(config.dataDir, ADMIN_FILE);
  const admin = await readFile(adminFile, 'utf8').then(
    (text) => JSON.parse(text) as AdminCredentials,
    (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
      throw new LocalStackError('DEMO_FAILED', `${adminFile} does not exist: start the stack first with npm start`, { cause: error });
    },
  );
  const up = await fetch(`${baseUrl}/readyz`).then(
    (response) => response.status === 200,
    () => false,
  );
  if (!up) throw new LocalStackError('DEMO_FAILED', `nothing ready at ${baseUrl}: start the stack first with npm start (and wait for its banner)`);
  await runDemo({ baseUrl, admin, print: (line) => process.stdout.write(`${line}\n`) });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`demo: configuration error (${error.variable}): ${error.message}\n`);
  } else if (error instanceof LocalStackError) {
    process.stderr.write(`demo: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`demo: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
