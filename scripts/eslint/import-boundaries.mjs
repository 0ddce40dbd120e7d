// The dependency rules of docs/architecture.md, on the resolved target of each import rather
// than its text: a relative path that climbs into another package counts like its package name.
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { importVisitor } from './import-visitor.mjs';
import { isProductionFile, isTestFile, packageNameOf, readWorkspace } from './workspace-packages.mjs';

/** Token libraries @veto/events must not know (it carries revocations, never tokens). */
const TOKEN_LIBRARIES = new Set(['@veto/auth-lib', 'jsonwebtoken', 'jose', 'jwks-rsa', 'express-jwt', 'jws', 'jwa']);
/** Test runners and helpers production code must not load. */
const TEST_LIBRARIES = new Set(['@veto/test-kit', 'jest', '@jest/globals', 'supertest', 'fast-check']);

/**
 * Where an import lands: a workspace package (with the workspace-relative path for a relative
 * import, or the subpath for a bare one), a third-party package, or a Node builtin.
 */
function resolveTarget(workspace, fromFile, specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const path = workspace.toRelative(resolve(dirname(fromFile), specifier));
    return { kind: 'workspace', pkg: workspace.ownerOf(path), path };
  }
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return { kind: 'builtin' };
  const name = packageNameOf(specifier);
  const pkg = workspace.byName.get(name);
  if (!pkg) return { kind: 'third-party', name };
  const subpath = `.${specifier.slice(name.length)}`;
  return { kind: 'workspace', pkg, subpath };
}

const layerOf = (pkg) => pkg.dir.split('/')[0];

/** The house rules an import breaks, as ESLint messages (id and data); empty when it breaks none. */
function violations(workspace, fromPath, target, specifier) {
  const from = workspace.ownerOf(fromPath);
  const production = isProductionFile(fromPath);
  const found = [];
  const add = (messageId, data = {}) => found.push({ messageId, data: { specifier, from: from.name, ...data } });

  if (target.kind === 'third-party') {
    if (from.dir === 'packages/events' && TOKEN_LIBRARIES.has(target.name)) add('eventsKnowsNoTokens', { to: target.name });
    if (production && TEST_LIBRARIES.has(target.name)) add('testSupportInProduction');
    return found;
  }
  if (target.kind !== 'workspace') return found;
  const to = target.pkg;

  // Repository tooling (the root package: scripts/) reads the services' sources to generate docs.
  if (target.path !== undefined && to !== from && from.dir !== '.') add('relativeIntoPackage', { to: to.name });
  if (target.subpath !== undefined) {
    const exportsMap = to.manifest.exports;
    const entries = exportsMap && typeof exportsMap === 'object' ? Object.keys(exportsMap) : ['.'];
    if (!entries.includes(target.subpath)) add('notPublicEntry', { to: to.name, entries: entries.join(', ') });
  }
  if (production) {
    const testSupport =
      layerOf(to) === 'tests' ||
      TEST_LIBRARIES.has(to.name) ||
      (target.subpath !== undefined && /(^|\/)testing$/.test(target.subpath)) ||
      (target.path !== undefined && isTestFile(target.path));
    if (testSupport) add('testSupportInProduction');
  }
  if (to === from) return found;
  if (layerOf(from) === 'services' && layerOf(to) === 'services') add('serviceImportsService', { to: to.name });
  if (layerOf(from) === 'packages' && layerOf(to) === 'services') add('packageImportsService', { to: to.name });
  if (from.dir === 'packages/events') add(TOKEN_LIBRARIES.has(to.name) ? 'eventsKnowsNoTokens' : 'eventsImportsWorkspace', { to: to.name });
  return found;
}

/** @type {import('eslint').Rule.RuleModule} */
export const importBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforces the dependency rules of docs/architecture.md on resolved imports.' },
    schema: [],
    messages: {
      serviceImportsService: 'Services never import other services: {{from}} imports {{to}}.',
      packageImportsService: 'Packages never import services: {{from}} imports {{to}}.',
      eventsKnowsNoTokens: '@veto/events knows no tokens: it must not import {{to}}.',
      eventsImportsWorkspace: '@veto/events is the bottom layer and imports no other workspace package ({{to}}).',
      testSupportInProduction: "Production code must not import test support ('{{specifier}}'); only tests, test-support/ and ./testing entries may.",
      relativeIntoPackage: "Import {{to}} through its package name, not the relative path '{{specifier}}'.",
      notPublicEntry: "'{{specifier}}' is not a public entry of {{to}} (its entries: {{entries}}).",
    },
  },
  create(context) {
    const workspace = readWorkspace(context.cwd);
    const fromPath = workspace.toRelative(context.filename);
    return importVisitor((node, specifier) => {
      for (const { messageId, data } of violations(workspace, fromPath, resolveTarget(workspace, context.filename, specifier), specifier)) {
        context.report({ node, messageId, data });
      }
    });
  },
};
