import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { openDatabase } from '../data-access/database';
import { migrateDatabase } from '../data-access/migrate';
import { ensureAdmin } from '../domain/ensure-admin';
import { createPasswordHasher } from '../domain/password-hasher';
import { ConfigError, SigningKeyMissingError } from '../errors';

const USAGE = 'usage: admin:create --email <email> [--password <password>]   (else ADMIN_PASSWORD, else a prompt)';

async function promptHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write(question);
  // Echo nothing while the password is typed.
  (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

async function run(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: 'string' }, password: { type: 'string' } }, strict: true });
  if (values.email === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const email = z.email().safeParse(values.email);
  if (!email.success) {
    process.stderr.write(`admin:create: not a valid email: ${values.email}\n`);
    return 2;
  }
  const password = values.password ?? process.env.ADMIN_PASSWORD ?? (process.stdin.isTTY ? await promptHidden('Password: ') : undefined);
  if (password === undefined || password.length < 8 || password.length > 128) {
    process.stderr.write('admin:create: a password of 8 to 128 characters is required\n');
    return 2;
  }
  // The start-up admin pair is not this command's business: ADMIN_PASSWORD alone is a valid
  // password source here, though the service's configuration would reject it without ADMIN_EMAIL.
  const { ADMIN_EMAIL: _email, ADMIN_PASSWORD: _password, ...serviceEnv } = process.env;
  const config = loadConfig(serviceEnv);
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: join(config.dataDir, 'pg'), schemaName: config.databaseSchema });
  try {
    await migrateDatabase(database);
    const passwords = await createPasswordHasher({ memoryKib: config.argon2MemoryKib, timeCost: config.argon2TimeCost, parallelism: config.argon2Parallelism });
    const outcome = await ensureAdmin({ db: database.db, clock: systemClock, passwords }, { email: email.data, password });
    const messages = { created: 'created admin', promoted: 'promoted to admin', unchanged: 'already an admin' } as const;
    process.stdout.write(`${messages[outcome]}: ${email.data.toLowerCase()}\n`);
    return 0;
  } finally {
    await database.close();
  }
}

run().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message =
      error instanceof ConfigError || error instanceof SigningKeyMissingError
        ? `configuration error (${error.variable}): ${error.message}`
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`admin:create: ${message}\n`);
    process.exit(1);
  },
);
