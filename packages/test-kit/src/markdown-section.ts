/**
 * One `## ` section of a Markdown document, from its heading to the next `## ` heading: what the
 * services' README tests compare their generated tables with.
 *
 * @param markdown - the whole document
 * @param heading - the heading's text, without `## `
 * @returns the section, heading included
 * @throws {Error} when the document has no such section
 * @example
 * expect(markdownSection(readme, 'Configuration')).toContain(expectedTable);
 */
export function markdownSection(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) {
    throw new Error(`the document has no "## ${heading}" section`);
  }
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}
