import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_ERROR_CODES } from './errors';

describe('README', () => {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

  it.each(TOKEN_ERROR_CODES)('documents %s in the error table', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });
});
