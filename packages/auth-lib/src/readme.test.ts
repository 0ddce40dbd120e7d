import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_ERROR_CODES } from './errors';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it.each(TOKEN_ERROR_CODES)('documents %s in the error table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  // The promise of the one call: a service is protected in at most 10 lines besides its imports.
  it.each(['express', 'Fastify'])('protects a service with %s in at most 10 lines', (framework) => {
    const section = readme.split(`### ${framework}\n`)[1] ?? '';
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const lines = block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('import '));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(10);
  });
});
