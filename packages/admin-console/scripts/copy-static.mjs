// Copies the console's static files (HTML, CSS) next to the compiled modules in dist/public.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'src', 'web');
const to = join(root, 'dist', 'public');
mkdirSync(to, { recursive: true });
for (const file of readdirSync(from).filter((name) => /\.(html|css)$/.test(name))) {
  copyFileSync(join(from, file), join(to, file));
}
