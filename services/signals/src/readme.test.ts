import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownSection } from '@veto/test-kit';
import { CONFIG_SPEC } from './config';
import { HTTP_ERRORS } from './entry-points/http/problem-details';
import { SIGNALS_ERROR_CODES } from './errors';

// The README's configuration and error tables must match the code exactly; on a mismatch,
// the expected table is in the failure diff, ready to paste.
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('services/signals/README.md', () => {
  it('lists every configuration variable with its default and description', () => {
    const rows = Object.values(CONFIG_SPEC).map((spec) => `| \`${spec.env}\` | ${spec.default === undefined ? '(unset)' : `\`${spec.default}\``} | ${spec.description} |`);
    expect(markdownSection(readme, 'Configuration')).toContain(['| Variable | Default | Description |', '| --- | --- | --- |', ...rows].join('\n'));
  });

  it('lists every error code with its HTTP status', () => {
    const rows = SIGNALS_ERROR_CODES.map((code) => `| \`${code}\` | ${HTTP_ERRORS[code].status} | ${HTTP_ERRORS[code].title} |`);
    expect(markdownSection(readme, 'Errors')).toContain(['| Code | HTTP status | Title |', '| --- | --- | --- |', ...rows].join('\n'));
  });
});
