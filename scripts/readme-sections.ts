import { CONFIG_SPEC as AUTH_CONFIG } from '../services/auth/src/config';
import { HTTP_ERRORS as AUTH_HTTP_ERRORS } from '../services/auth/src/entry-points/http/problem-details';
import { CONFIG_SPEC as TICKETS_CONFIG } from '../services/tickets/src/config';
import { HTTP_ERRORS as TICKETS_HTTP_ERRORS } from '../services/tickets/src/entry-points/http/problem-details';
import { CONFIG_SPEC as SIGNALS_CONFIG } from '../services/signals/src/config';
import { HTTP_ERRORS as SIGNALS_HTTP_ERRORS } from '../services/signals/src/entry-points/http/problem-details';
import { STACK_CONFIG_SPEC } from '../infra/local-stack/src/stack-config';
import { TOKEN_ERROR_CODES, TokenError, authProblem } from '../packages/auth-lib/src/index';

/** One configuration key as the README shows it. */
interface ConfigRow {
  readonly env: string;
  readonly description: string;
  readonly default: string | undefined;
}

/** One HTTP error code as the README shows it. */
interface ErrorRow {
  readonly status: number;
  readonly title: string;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

function configTable(spec: Readonly<Record<string, ConfigRow>>): string {
  const rows = Object.values(spec).map((key) => `| \`${key.env}\` | ${key.default === undefined ? '—' : `\`${key.default}\``} | ${escapeCell(key.description)} |`);
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

function errorTable(errors: Readonly<Record<string, ErrorRow>>): string {
  const rows = Object.entries(errors).map(([code, { status, title }]) => `| \`${code}\` | ${status} | ${escapeCell(title)} |`);
  return ['| Code | Status | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/**
 * The README's generated sections, by marker name: each lives between
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
 */
export function readmeSections(): Record<string, string> {
  return {
    'config-auth': configTable(AUTH_CONFIG),
    'errors-auth': errorTable(AUTH_HTTP_ERRORS),
    'config-tickets': configTable(TICKETS_CONFIG),
    'errors-tickets': errorTable(TICKETS_HTTP_ERRORS),
    'config-signals': configTable(SIGNALS_CONFIG),
    'errors-signals': errorTable(SIGNALS_HTTP_ERRORS),
    'config-local-stack': configTable(STACK_CONFIG_SPEC),
    'errors-auth-lib': errorTable(authLibErrors()),
  };
}

/** The status and title `authProblem` answers each `@veto/auth-lib` code with. */
function authLibErrors(): Record<string, ErrorRow> {
  return Object.fromEntries(
    TOKEN_ERROR_CODES.map((code) => {
      const problem = authProblem(new TokenError(code, code));
      if (problem === undefined) {
        throw new Error(`authProblem does not map ${code}`);
      }
      return [code, { status: problem.status, title: problem.body.title }];
    }),
  );
}

/** The generated sections of each document, by its path from the repository root. */
export const GENERATED_DOCUMENTS: Readonly<Record<string, readonly string[]>> = {
  'README.md': ['config-auth', 'errors-auth', 'config-tickets', 'errors-tickets'],
  'docs/operations.md': ['config-auth', 'config-tickets', 'config-signals', 'config-local-stack'],
  'docs/api.md': ['errors-auth', 'errors-tickets', 'errors-signals', 'errors-auth-lib'],
};

/**
 * Replaces the generated sections of one of {@link GENERATED_DOCUMENTS} with their current content.
 *
 * @throws {Error} when the document is not listed or a section's markers are missing
 */
export function renderDocument(path: string, text: string): string {
  const names = GENERATED_DOCUMENTS[path];
  if (names === undefined) {
    throw new Error(`${path} has no generated sections`);
  }
  const sections = readmeSections();
  return renderReadme(text, Object.fromEntries(names.map((name) => [name, sections[name] ?? ''])));
}

/**
 * Replaces every generated section of a README text with its current content.
 *
 * @throws {Error} when a section's markers are missing
 */
export function renderReadme(text: string, sections: Record<string, string>): string {
  let result = text;
  for (const [name, content] of Object.entries(sections)) {
    const pattern = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    if (!pattern.test(result)) {
      throw new Error(`no <!-- generated:${name} --> section`);
    }
    result = result.replace(pattern, (_match, open: string, close: string) => `${open}\n${content}\n${close}`);
  }
  return result;
}
