/**
 * Renders a GitHub-flavoured markdown table; cells are escaped so a `|` cannot split a column.
 *
 * @param headers - column titles
 * @param rows - one array of cells per row, as long as `headers`
 * @param align - per column, `r` right-aligns (numbers); default left
 * @throws RangeError when a row has a different number of cells than the headers
 * @example
 * markdownTable(['mode', 'req/s'], [['no auth', '5,000']], ['l', 'r']);
 */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly ('l' | 'r')[] = []): string {
  for (const row of rows) {
    if (row.length !== headers.length) throw new RangeError(`a row has ${row.length} cells, the table ${headers.length} columns`);
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = headers.map((_, index) => (align[index] === 'r' ? '---:' : '---'));
  return [line(headers), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * A number with thousands separators and at most `digits` decimals.
 *
 * @example
 * formatNumber(12345.678, 1); // '12,345.7'
 */
export function formatNumber(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/**
 * A ratio as `1.23×`.
 *
 * @example
 * formatRatio(0.912); // '0.91×'
 */
export function formatRatio(value: number): string {
  return `${value.toFixed(2)}×`;
}

/**
 * A share as a percentage.
 *
 * @example
 * formatPercent(0.9876); // '98.8%'
 */
export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/**
 * Whether a target holds, for the verdict column.
 *
 * @example
 * verdict(true); // 'met'
 */
export function verdict(met: boolean): string {
  return met ? 'met' : '**missed**';
}
