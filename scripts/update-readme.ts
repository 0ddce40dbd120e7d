import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCUMENTS, renderDocument } from './readme-sections';

// Regenerates the configuration and error tables of the README and docs/ from the code's own specs.
for (const document of Object.keys(GENERATED_DOCUMENTS)) {
  const path = join(__dirname, '..', document);
  writeFileSync(path, renderDocument(document, readFileSync(path, 'utf8')));
}
