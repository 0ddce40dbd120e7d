import { formatNumber, formatPercent, formatRatio, markdownTable, verdict } from './markdown-table';

describe('markdownTable', () => {
  it('renders headers, an alignment rule and rows', () => {
    expect(
      markdownTable(
        ['mode', 'req/s'],
        [
          ['no auth', '5,000'],
          ['veto', '4,900'],
        ],
        ['l', 'r'],
      ),
    ).toBe(['| mode | req/s |', '| --- | ---: |', '| no auth | 5,000 |', '| veto | 4,900 |'].join('\n'));
  });

  it('escapes pipes and newlines inside cells', () => {
    expect(markdownTable(['a'], [['x|y\nz']])).toBe(['| a |', '| --- |', '| x\\|y z |'].join('\n'));
  });

  it('refuses a row of the wrong width', () => {
    expect(() => markdownTable(['a', 'b'], [['only one']])).toThrow(RangeError);
  });
});

describe('formatting', () => {
  it('formats numbers, ratios, percentages and verdicts', () => {
    expect(formatNumber(12345.678, 1)).toBe('12,345.7');
    expect(formatNumber(0.5)).toBe('1');
    expect(formatRatio(0.912)).toBe('0.91×');
    expect(formatPercent(0.9876)).toBe('98.8%');
    expect(formatPercent(1, 0)).toBe('100%');
    expect(verdict(true)).toBe('met');
    expect(verdict(false)).toBe('**missed**');
  });
});
