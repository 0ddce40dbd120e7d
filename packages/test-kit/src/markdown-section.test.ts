import { markdownSection } from './markdown-section';

const doc = '# Title\n\nIntro\n\n## Configuration\n\n| a |\n\n### Detail\n\nmore\n\n## Errors\n\n| b |\n';

describe('markdownSection', () => {
  it('cuts a section from its heading to the next one of the same level, keeping its subsections', () => {
    expect(markdownSection(doc, 'Configuration')).toBe('\n## Configuration\n\n| a |\n\n### Detail\n\nmore\n');
  });

  it('runs the last section to the end', () => {
    expect(markdownSection(doc, 'Errors')).toBe('\n## Errors\n\n| b |\n');
  });

  it('throws for a section the document lacks, or only has at another level', () => {
    expect(() => markdownSection(doc, 'Detail')).toThrow('the document has no "## Detail" section');
  });
});
