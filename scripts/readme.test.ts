import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_DOCUMENTS, renderDocument } from './readme-sections';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it('carries the configuration and error tables generated from the code (run `pnpm docs:generate`)', () => {
    expect(readme).toBe(renderDocument('README.md', readme));
  });

  it.each(Object.keys(GENERATED_DOCUMENTS).filter((document) => document !== 'README.md'))(
    '%s carries the tables generated from the code (run `pnpm docs:generate`)',
    (document) => {
      const text = readFileSync(join(__dirname, '..', document), 'utf8');
      expect(text).toBe(renderDocument(document, text));
    },
  );

  it('names exactly two set-up commands for a newcomer: start and test', () => {
    const quickStart = readme.split('## Quick start')[1]?.split('\n## ')[0] ?? '';
    const commands = quickStart.split('\n').filter((line) => line.startsWith('npm '));
    expect(commands).toEqual(['npm start', 'npm test']);
  });
});
