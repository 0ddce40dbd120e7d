// The public entries of the workspace's packages (`.` and subpaths such as `./testing`, from each
// manifest's `exports`) and the names each one exports, read by the compiler from the sources.
import { join } from 'node:path';
import ts from 'typescript';
import { workspacePackages } from './workspace-packages';

/** One public entry: the specifier a consumer imports and the source file behind it. */
export interface PublicEntry {
  specifier: string;
  source: string;
}

/**
 * The public entries of every workspace package that has `exports`, by specifier
 * (`@veto/events`, `@veto/events/testing`). A target in dist/ maps to its source in src/.
 * @param root the workspace root
 * @example
 * publicEntries(root).find((entry) => entry.specifier === '@veto/events')?.source; // '<root>/packages/events/src/index.ts'
 */
export function publicEntries(root: string): PublicEntry[] {
  const entries: PublicEntry[] = [];
  for (const { dir, manifest } of workspacePackages(root)) {
    for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
      const file = typeof target === 'string' ? target : (target.default ?? target.types ?? '');
      const source = file.replace(/^\.\/dist\//, './src/').replace(/(\.d)?\.js$|\.d\.ts$/, '.ts');
      entries.push({ specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`, source: join(root, dir, source) });
    }
  }
  return entries.sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/**
 * The sorted export names of each entry, type-only ones as `type Name`, read by one compiler
 * program over the workspace's tsconfig.json (its paths resolve @veto/* to sources).
 * @param root the workspace root
 * @param entries the entries to read
 * @example
 * exportedNames(root, publicEntries(root)).get('@veto/events/testing'); // ['connectTo', ..., 'type NatsServerHandle', ...]
 */
export function exportedNames(root: string, entries: PublicEntry[]): Map<string, string[]> {
  const { config } = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
  const program = ts.createProgram(
    entries.map((entry) => entry.source),
    { ...options, noEmit: true },
  );
  const checker = program.getTypeChecker();
  const names = new Map<string, string[]>();
  for (const entry of entries) {
    const file = program.getSourceFile(entry.source);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`${entry.specifier}: ${entry.source} is no module`);
    const exported = checker.getExportsOfModule(moduleSymbol).map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return target.flags & ts.SymbolFlags.Value ? symbol.name : `type ${symbol.name}`;
    });
    names.set(entry.specifier, exported.sort());
  }
  return names;
}
