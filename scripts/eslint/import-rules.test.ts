import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

interface Fixture {
  /** Where the file would be: the workspace's eslint.config.mjs applies by this path. */
  path: string;
  code: string;
}

/**
 * Lints the fixtures with the workspace's own eslint.config.mjs, in one ESLint process (jest's
 * module registry cannot load ESLint's ESM config), and answers `rule/messageId` per fixture
 * for the two import rules.
 */
function lint(fixtures: Fixture[]): string[][] {
  const program = `
    import { ESLint } from 'eslint';
    const fixtures = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const found = [];
    for (const { path, code } of fixtures) {
      const [result] = await eslint.lintText(code, { filePath: path });
      found.push(result.messages.filter((m) => m.ruleId?.startsWith('veto/') || m.fatal).map((m) => m.fatal ? 'fatal: ' + m.message : m.ruleId + '/' + m.messageId));
    }
    process.stdout.write(JSON.stringify(found));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', program, JSON.stringify(fixtures)], { cwd: root, encoding: 'utf8' });
  return JSON.parse(output) as string[][];
}

const BOUNDARIES = 'veto/import-boundaries';
const DECLARED = 'veto/declared-dependencies';

// Each case: a file at a path of the workspace, its imports, and the rule breaches expected.
const cases: [string, Fixture, string[]][] = [
  [
    'a service importing another service',
    { path: 'services/tickets/src/domain/x.ts', code: "import { createApp } from '@veto/auth';\n" },
    [`${BOUNDARIES}/serviceImportsService`, `${DECLARED}/undeclared`],
  ],
  [
    'a service reaching another service by a relative path',
    { path: 'services/tickets/src/domain/x.ts', code: "import { createApp } from '../../../auth/src/app';\n" },
    [`${BOUNDARIES}/relativeIntoPackage`, `${BOUNDARIES}/serviceImportsService`],
  ],
  [
    'a package importing a service',
    { path: 'packages/storage/src/x.ts', code: "export { schema } from '@veto/tickets';\n" },
    [`${BOUNDARIES}/packageImportsService`, `${DECLARED}/undeclared`],
  ],
  [
    'auth-lib reaching a service by a relative path',
    { path: 'packages/auth-lib/src/x.ts', code: "const app = import('../../../services/auth/src/index');\nexport { app };\n" },
    [`${BOUNDARIES}/relativeIntoPackage`, `${BOUNDARIES}/packageImportsService`],
  ],
  [
    'auth-lib importing a service',
    { path: 'packages/auth-lib/src/x.ts', code: "import type { AppDeps } from '@veto/tickets';\nexport type { AppDeps };\n" },
    [`${BOUNDARIES}/packageImportsService`, `${DECLARED}/undeclared`],
  ],
  [
    'events importing a token library',
    { path: 'packages/events/src/x.ts', code: "import jwt from 'jsonwebtoken';\nexport { jwt };\n" },
    [`${BOUNDARIES}/eventsKnowsNoTokens`, `${DECLARED}/undeclared`],
  ],
  ['events importing auth-lib', { path: 'packages/events/src/x.ts', code: "export * from '@veto/auth-lib';\n" }, [`${BOUNDARIES}/eventsKnowsNoTokens`, `${DECLARED}/undeclared`]],
  [
    'events importing another workspace package',
    { path: 'packages/events/src/x.ts', code: "export * from '@veto/storage';\n" },
    [`${BOUNDARIES}/eventsImportsWorkspace`, `${DECLARED}/undeclared`],
  ],
  [
    'production code importing a ./testing entry',
    { path: 'services/auth/src/x.ts', code: "import { startNatsServer } from '@veto/events/testing';\nexport { startNatsServer };\n" },
    [`${BOUNDARIES}/testSupportInProduction`],
  ],
  [
    'production code importing a test-support file',
    { path: 'services/auth/src/domain/x.ts', code: "export { startAuth } from '../test-support/start-auth';\n" },
    [`${BOUNDARIES}/testSupportInProduction`],
  ],
  [
    'production code importing a package ./testing file by path',
    { path: 'packages/events/src/x.ts', code: "export * from './testing';\n" },
    [`${BOUNDARIES}/testSupportInProduction`],
  ],
  // service-kit's tests use the test kit: declared, but as a devDependency.
  [
    'production code importing the test kit',
    { path: 'packages/service-kit/src/x.ts', code: "import { freePort } from '@veto/test-kit';\nexport { freePort };\n" },
    [`${BOUNDARIES}/testSupportInProduction`, `${DECLARED}/devOnly`],
  ],
  [
    'production code importing supertest',
    { path: 'services/tickets/src/x.ts', code: "import request from 'supertest';\nexport { request };\n" },
    [`${BOUNDARIES}/testSupportInProduction`, `${DECLARED}/undeclared`],
  ],
  [
    'production code requiring jest',
    { path: 'infra/local-stack/src/x.ts', code: "const jest = require('@jest/globals');\nexport { jest };\n" },
    [`${BOUNDARIES}/testSupportInProduction`, `${DECLARED}/undeclared`],
  ],
  [
    'production code importing an end-to-end test package',
    { path: 'infra/local-stack/src/x.ts', code: "export { freePort } from '@veto/e2e';\n" },
    [`${BOUNDARIES}/testSupportInProduction`, `${DECLARED}/undeclared`],
  ],
  [
    'an import of a package file that is no public entry',
    { path: 'services/auth/src/x.ts', code: "export { parseEvent } from '@veto/events/src/schemas';\n" },
    [`${BOUNDARIES}/notPublicEntry`],
  ],
  ['an undeclared workspace package', { path: 'services/tickets/src/x.ts', code: "export { ADMIN_CONSOLE_PATH } from '@veto/admin-console';\n" }, [`${DECLARED}/undeclared`]],
  ['an undeclared third-party package', { path: 'packages/storage/src/x.ts', code: "import pino from 'pino';\nexport { pino };\n" }, [`${DECLARED}/undeclared`]],
  ['a devDependency loaded at run time by production code', { path: 'packages/events/src/x.ts', code: "export { stringify } from 'yaml';\n" }, [`${DECLARED}/devOnly`]],
  [
    "another package's devDependency in a test",
    { path: 'services/tickets/src/x.test.ts', code: "import { discovery } from 'openid-client';\nvoid discovery;\n" },
    [`${DECLARED}/undeclared`],
  ],
  [
    'tests, test support and ./testing entries using test support',
    {
      path: 'services/auth/src/entry-points/x.test.ts',
      code: "import request from 'supertest';\nimport fc from 'fast-check';\nimport { startNatsServer } from '@veto/events/testing';\nimport { x } from '../test-support/x';\nvoid [request, fc, startNatsServer, x];\n",
    },
    [],
  ],
  [
    'a ./testing entry exporting its harness',
    { path: 'packages/events/src/testing.ts', code: "export { startNatsServer } from './nats-server-harness';\nexport * from './test-support/x';\n" },
    [],
  ],
  ['a test helper using another ./testing entry', { path: 'services/tickets/src/test-support/x.ts', code: "export { openTestDatabase } from '@veto/storage/testing';\n" }, []],
  [
    'production code using what it declares',
    {
      path: 'services/tickets/src/x.ts',
      code: "import { join } from 'node:path';\nimport { readFileSync } from 'fs';\nimport express from 'express';\nimport { ensureStreams } from '@veto/events';\nimport { createVerifier } from '@veto/auth-lib';\nimport { ticket } from './data-access/schema';\nvoid [join, readFileSync, express, ensureStreams, createVerifier, ticket];\n",
    },
    [],
  ],
  ['a type-only import of a devDependency', { path: 'packages/events/src/x.ts', code: "import type { Document } from 'yaml';\nexport type { Document };\n" }, []],
  [
    'a consumer project outside the workspace, by its own manifest',
    {
      path: 'scripts/eslint/fixtures/consumer/src/app.ts',
      code: "import express from 'express';\nimport { createVerifier } from '@veto/auth-lib';\nimport request from 'supertest';\nvoid [express, createVerifier, request];\n",
    },
    [`${DECLARED}/undeclared`],
  ],
  [
    'repository scripts reading a service by its path',
    { path: 'scripts/x.ts', code: "import { configSpec } from '../services/auth/src/config';\nimport ts from 'typescript';\nvoid [configSpec, ts];\n" },
    [],
  ],
];

describe('the import rules of pnpm lint', () => {
  let results: string[][];
  beforeAll(() => {
    results = lint(cases.map(([, fixture]) => fixture));
  });

  it.each(cases.map(([name, fixture, expected], index) => [name, fixture.path, expected, index] as const))('%s (%s)', (_name, _path, expected, index) => {
    expect([...(results[index] ?? [])].sort()).toEqual([...expected].sort());
  });
});
