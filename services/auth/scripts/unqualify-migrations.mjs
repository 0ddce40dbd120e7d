// drizzle-kit writes foreign keys as REFERENCES "public"."table"; the service runs its
// migrations in the schema chosen by DATABASE_SCHEMA (through search_path), so every
// generated migration must stay unqualified. Run after `drizzle-kit generate`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'drizzle');
for (const name of readdirSync(dir).filter((file) => file.endsWith('.sql'))) {
  const path = join(dir, name);
  const sql = readFileSync(path, 'utf8');
  const unqualified = sql.replaceAll('"public".', '');
  if (unqualified !== sql) {
    writeFileSync(path, unqualified);
    process.stderr.write(`unqualified ${name}\n`);
  }
}
