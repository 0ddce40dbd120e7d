import { replaceGeneratedSection } from './generated-section';

describe('replaceGeneratedSection', () => {
  it('replaces only the named section and keeps the prose around it', () => {
    const doc = ['# Benchmarks', 'intro', '<!-- bench:a -->', 'old a', '<!-- /bench:a -->', 'middle', '<!-- bench:b -->', 'old b', '<!-- /bench:b -->', 'end', ''].join('\n');
    const updated = replaceGeneratedSection(doc, 'a', 'new a\n');
    expect(updated).toBe(doc.replace('old a', 'new a'));
  });

  it('appends a missing section at the end', () => {
    expect(replaceGeneratedSection('# Doc\n', 'c', 'table')).toBe('# Doc\n\n<!-- bench:c -->\ntable\n<!-- /bench:c -->\n');
  });

  it('refuses broken markers instead of guessing', () => {
    expect(() => replaceGeneratedSection('<!-- /bench:a --> <!-- bench:a -->', 'a', 'x')).toThrow(RangeError);
    expect(() => replaceGeneratedSection('<!-- bench:a -->', 'a', 'x')).toThrow(RangeError);
  });
});
