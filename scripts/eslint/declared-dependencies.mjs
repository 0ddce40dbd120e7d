// jest's moduleNameMapper and tsc's paths resolve every @veto/* import from anywhere, and pnpm
// links the root's devDependencies where every package finds them, so an import a package never
// declared works here and breaks for whoever installs the package. This rule checks each bare
// import against the manifest of the package that owns the file.
import { builtinModules } from 'node:module';
import { importVisitor } from './import-visitor.mjs';
import { isProductionFile, packageNameOf, readWorkspace } from './workspace-packages.mjs';

const names = (manifest, ...fields) => fields.flatMap((field) => Object.keys(manifest[field] ?? {}));

/** The DefinitelyTyped package that types `name`: `@types/express`, `@types/scope__name`. */
const typesPackageOf = (name) => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

/** @type {import('eslint').Rule.RuleModule} */
export const declaredDependencies = {
  meta: {
    type: 'problem',
    docs: { description: "Every bare import is declared in the package.json of the file's workspace package." },
    schema: [],
    messages: {
      undeclared: '{{name}} is not declared in {{manifest}}: add it to the dependencies of {{owner}}.',
      devOnly: '{{name}} is imported at run time by production code but is only a devDependency of {{owner}}: declare it in dependencies or peerDependencies of {{manifest}}.',
    },
  },
  create(context) {
    const workspace = readWorkspace(context.cwd);
    const fromPath = workspace.toRelative(context.filename);
    const owner = workspace.manifestOf(fromPath);
    const production = isProductionFile(fromPath);
    const runtime = new Set(names(owner.manifest, 'dependencies', 'peerDependencies', 'optionalDependencies'));
    // Tests and tooling may also use the package's devDependencies, and the root's shared tooling
    // (jest, supertest, typescript), which every package of the workspace resolves.
    const ownDevelopment = new Set([...runtime, ...names(owner.manifest, 'devDependencies')]);
    const development = new Set([...ownDevelopment, ...(owner.inWorkspace ? names(workspace.packages[0].manifest, 'devDependencies') : [])]);
    const manifestPath = owner.dir === '.' ? 'package.json' : `${owner.dir}/package.json`;

    return importVisitor((node, specifier, typeOnly) => {
      if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:') || builtinModules.includes(specifier)) return;
      const name = packageNameOf(specifier);
      if (name === owner.name) return;
      // Types are erased at run time: a devDependency (or its @types package) is enough for them.
      const allowed = production && !typeOnly ? runtime : development;
      if (allowed.has(name) || (typeOnly && allowed.has(typesPackageOf(name)))) return;
      const messageId = production && ownDevelopment.has(name) ? 'devOnly' : 'undeclared';
      context.report({ node, messageId, data: { name, owner: owner.name, manifest: manifestPath } });
    });
  },
};
