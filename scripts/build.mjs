#!/usr/bin/env node
// Builds the workspace incrementally in one process: tsc's solution builder (`tsc -b`) over
// the project references of tsconfig.build.json. A project is rebuilt when one of its
// sources, its tsconfig or the declarations of a project it references changed since its
// dist/*.tsbuildinfo was written; deleting dist deletes that file and so rebuilds it.
// Usage: node scripts/build.mjs [solution tsconfig]  (default: the workspace's; `npm start` passes
// tsconfig.stack.json, the projects the local stack runs: checking the test, bench and example
// projects too took about 2 s more of every start with nothing changed)
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const solution = resolve(process.argv[2] ?? join(root, 'tsconfig.build.json'));
const base = dirname(solution);

const formatHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => base,
  getNewLine: () => ts.sys.newLine,
};
let errors = 0;
function reportDiagnostic(diagnostic) {
  if (diagnostic.category === ts.DiagnosticCategory.Error) errors += 1;
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext([diagnostic], formatHost));
}

const host = ts.createSolutionBuilderHost(ts.sys, undefined, reportDiagnostic, () => {});
const builder = ts.createSolutionBuilder(host, [solution], {});
const built = [];
for (let project = builder.getNextInvalidatedProject(); project; project = builder.getNextInvalidatedProject()) {
  // UpdateOutputFileStamps: a referenced project changed without changing its declarations,
  // so this one's outputs are still right and only their timestamps move on.
  if (project.kind === ts.InvalidatedProjectKind.Build) built.push(relative(base, project.project));
  project.done();
}

// The admin console's HTML and CSS are no TypeScript: copied beside its compiled modules.
// A solution of this repository (not a test's fixture) builds the console.
if (errors === 0 && base === root) await import('../packages/admin-console/scripts/copy-static.mjs');

const seconds = (performance.now() / 1000).toFixed(1);
if (errors > 0) {
  process.stderr.write(`[build] failed with ${errors} error(s) after ${seconds} s\n`);
  process.exit(1);
}
process.stderr.write(built.length === 0 ? `[build] up to date (${seconds} s)\n` : `[build] built ${built.join(', ')} (${seconds} s)\n`);
