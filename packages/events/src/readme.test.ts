import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_HEADERS } from './dead-letter';
import { EVENT_ERROR_CODES } from './errors';
import { EVENT_TYPES } from './event-schemas';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const tableRows = readme.split('\n').filter((line) => line.startsWith('| `'));

describe('README', () => {
  it.each(EVENT_ERROR_CODES)('documents the error code %s in a table row', (code) => {
    expect(tableRows.some((row) => row.startsWith(`| \`${code}\` |`))).toBe(true);
  });

  it.each(EVENT_TYPES)('maps the event type %s onto the shared-signals vocabulary', (type) => {
    expect(tableRows.find((row) => row.startsWith(`| \`${type}\` |`))).toMatch(/(RISC|CAEP) `[a-z-]+`/);
  });

  it.each(Object.values(DEAD_LETTER_HEADERS))('documents the dead-letter header %s', (header) => {
    expect(tableRows.some((row) => row.includes(`\`${header}\``))).toBe(true);
  });
});
