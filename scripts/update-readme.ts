import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReadme } from './readme-sections';

// Regenerates the README's configuration and error tables from the services' own specs.
const path = join(__dirname, '..', 'README.md');
writeFileSync(path, renderReadme(readFileSync(path, 'utf8')));
