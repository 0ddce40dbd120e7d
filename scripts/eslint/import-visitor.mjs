// One walk over every way a module names another: import and export-from declarations, `import x
// = require()`, `require()` and `import()` with a literal. Both import rules share it, so a form
// that one of them checks the other checks too.

/**
 * @callback OnImport
 * @param {import('estree').Node} node the string literal naming the module (where to report)
 * @param {string} specifier
 * @param {boolean} typeOnly whether the import brings in types only (erased at run time)
 */

/**
 * An ESLint visitor calling `onImport` for every module specifier in a file.
 * @param {OnImport} onImport
 * @example
 * create: (context) => importVisitor((node, specifier) => context.report({ node, message: specifier })),
 */
export function importVisitor(onImport) {
  const literal = (node) => (node && node.type === 'Literal' && typeof node.value === 'string' ? node : undefined);
  const declaration = (node) => {
    if (node.source) onImport(node.source, node.source.value, node.importKind === 'type' || node.exportKind === 'type');
  };
  return {
    ImportDeclaration: declaration,
    ExportNamedDeclaration: declaration,
    ExportAllDeclaration: declaration,
    ImportExpression(node) {
      const source = literal(node.source);
      if (source) onImport(source, source.value, false);
    },
    CallExpression(node) {
      const source = literal(node.arguments[0]);
      if (source && node.callee.type === 'Identifier' && node.callee.name === 'require') onImport(source, source.value, false);
    },
    TSImportEqualsDeclaration(node) {
      const source = node.moduleReference.type === 'TSExternalModuleReference' ? literal(node.moduleReference.expression) : undefined;
      if (source) onImport(source, source.value, node.importKind === 'type');
    },
  };
}
