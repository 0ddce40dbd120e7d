#!/usr/bin/env node
// drizzle-kit writes foreign keys as REFERENCES "public"."table"; a Veto service runs its
// migrations in the schema chosen at start-up (through search_path), so every generated
// migration must stay unqualified. Run after `drizzle-kit generate`:
//   veto-unqualify-migrations ./drizzle
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const folder = process.argv[2];
if (folder === undefined) {
  process.stderr.write('usage: veto-unqualify-migrations <migrations folder>\n');
  process.exit(2);
}
const dir = resolve(folder);
for (const name of readdirSync(dir).filter((file) => file.endsWith('.sql'))) {
  const path = join(dir, name);
  const sql = readFileSync(path, 'utf8');
  const unqualified = sql.replaceAll('"public".', '');
  if (unqualified !== sql) {
    writeFileSync(path, unqualified);
    process.stderr.write(`unqualified ${name}\n`);
  }
}
