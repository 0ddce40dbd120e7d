import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_STACK_ERROR_CODES } from './errors';
import { GATEWAY_ERRORS } from './gateway';
import { STACK_CONFIG_SPEC } from './stack-config';

// The README's tables must match the code; on a mismatch the expected rows are in the failure diff.
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('infra/local-stack/README.md', () => {
  it('lists every setting with its default and meaning', () => {
    const rows = Object.values(STACK_CONFIG_SPEC).map((spec) => `| \`${spec.env}\` | ${spec.default === undefined ? '(unset)' : `\`${spec.default}\``} | ${spec.description} |`);
    expect(readme).toContain(['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n'));
  });

  it('lists every gateway code with its status', () => {
    for (const [code, { status }] of Object.entries(GATEWAY_ERRORS)) expect(readme).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it.each(LOCAL_STACK_ERROR_CODES.filter((code) => !(code in GATEWAY_ERRORS)))('documents the launcher code %s', (code) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${code}\` \\| `, 'm'));
  });
});
