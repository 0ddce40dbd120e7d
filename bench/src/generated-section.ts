/**
 * Replaces the text between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->` in a document,
 * or appends the marked section when it is missing, so each suite rewrites only its own part of
 * docs/benchmarks.md and hand-written prose around it stays.
 *
 * @param document - the whole markdown document
 * @param name - section name, e.g. `overhead`
 * @param content - the new text between the markers
 * @throws RangeError when the markers are present but out of order or repeated
 * @example
 * replaceGeneratedSection(doc, 'replay', table);
 */
export function replaceGeneratedSection(document: string, name: string, content: string): string {
  const open = `<!-- bench:${name} -->`;
  const close = `<!-- /bench:${name} -->`;
  const start = document.indexOf(open);
  const end = document.indexOf(close);
  const block = `${open}\n${content.trim()}\n${close}`;
  if (start === -1 && end === -1) return `${document.trimEnd()}\n\n${block}\n`;
  if (start === -1 || end === -1 || end < start || document.indexOf(open, start + 1) !== -1 || document.indexOf(close, end + 1) !== -1) {
    throw new RangeError(`the markers of section ${name} are broken`);
  }
  return `${document.slice(0, start)}${block}${document.slice(end + close.length)}`;
}
