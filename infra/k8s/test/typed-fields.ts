import { join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './rendered-manifests';

// A module that exists only in memory, beside this file, so `kubernetes-models` resolves from
// this package's node_modules.
const VIRTUAL_FILE = join(__dirname, '__rendered_objects__.ts');

/**
 * Type-checks objects as TypeScript object literals against the Kubernetes API types of
 * `kubernetes-models` (`IDeployment`, `IService`, ...). Excess-property checks make this strict:
 * a misspelt or misplaced field is reported, which the OpenAPI schema (it allows additional
 * properties) lets through. A kind without a type module is reported too.
 *
 * @returns one line per problem, naming the object
 */
export function typedFieldProblems(objects: readonly K8sObject[]): string[] {
  const lines = objects.flatMap((object, index) => [
    `import type { I${object.kind} as T${index} } from 'kubernetes-models/${object.apiVersion}/${object.kind}';`,
    `export const o${index}: T${index} = ${JSON.stringify(object)};`,
  ]);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const text = lines.join('\n');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) =>
    fileName === VIRTUAL_FILE ? ts.createSourceFile(fileName, text, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL_FILE || fileExists(fileName);
  const program = ts.createProgram([VIRTUAL_FILE], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((diagnostic) => diagnostic.file?.fileName === VIRTUAL_FILE)
    .map((diagnostic) => {
      const line = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line ?? 0;
      const object = objects[Math.floor(line / 2)];
      return `${object?.kind ?? '?'} ${object?.metadata.name ?? '?'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
    });
}
