/** One bar of {@link renderBarChart}. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Text printed after the bar, e.g. a ratio. */
  readonly note?: string;
  /** Index into the chart's `series`: bars of one series share a colour. */
  readonly series?: number;
}

/** One line of {@link renderCdfChart}: a sample drawn as its cumulative distribution. */
export interface CdfSeries {
  readonly name: string;
  readonly values: readonly number[];
}

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c'];

/**
 * Escapes text for an SVG text node or attribute.
 *
 * @example
 * escapeXml('a < b'); // 'a &lt; b'
 */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates are rounded: sub-pixel digits only make the file bigger. */
function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function color(index: number): string {
  return COLORS[index % COLORS.length] as string;
}

/**
 * A round axis maximum at or above `max` (1, 2 or 5 times a power of ten), so ticks read well.
 *
 * @example
 * niceCeiling(7.3); // 10
 */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= max) return step * power;
  }
  return 10 * power;
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : String(Math.round(value * 1000) / 1000);
}

/**
 * Renders a horizontal bar chart as a standalone SVG document (no browser, no dependency). With
 * `series`, bars are grouped: each bar's colour is its series', a legend names them, and a label
 * repeated by the next bar is printed once for the group.
 *
 * @param chart - title, unit of the values, bars in display order, optional series names
 * @throws RangeError when there is no bar, a value is negative or not finite, or a bar's series is not in `series`
 * @example
 * renderBarChart({ title: 'Throughput', unit: 'req/s', bars: [{ label: 'no auth', value: 5000 }] });
 */
export function renderBarChart(chart: { title: string; unit: string; bars: readonly Bar[]; series?: readonly string[] }): string {
  const { bars, series = [] } = chart;
  if (bars.length === 0) throw new RangeError('a bar chart needs at least one bar');
  if (bars.some((bar) => !Number.isFinite(bar.value) || bar.value < 0)) throw new RangeError('bar values must be finite and non-negative');
  if (bars.some((bar) => (bar.series ?? 0) >= Math.max(series.length, 1) || (bar.series ?? 0) < 0)) throw new RangeError('a bar names a series the chart does not have');
  const labelWidth = 8 + 7 * Math.max(...bars.map((bar) => bar.label.length));
  const plotWidth = 420;
  const noteWidth = 160;
  const barHeight = 22;
  const gap = 10;
  const top = 34;
  const width = labelWidth + plotWidth + noteWidth;
  const legendTop = top + bars.length * (barHeight + gap) + 30;
  const height = legendTop + 18 * series.length;
  const axisMax = niceCeiling(Math.max(...bars.map((bar) => bar.value)));
  const x = (value: number) => labelWidth + (value / axisMax) * plotWidth;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  bars.forEach((bar, index) => {
    const y = top + index * (barHeight + gap);
    if (series.length === 0 || bars[index - 1]?.label !== bar.label) {
      parts.push(`<text x="${px(labelWidth - 6)}" y="${px(y + barHeight / 2 + 4)}" text-anchor="end">${escapeXml(bar.label)}</text>`);
    }
    parts.push(
      `<rect x="${px(labelWidth)}" y="${px(y)}" width="${px(x(bar.value) - labelWidth)}" height="${barHeight}" fill="${color(series.length === 0 ? index : (bar.series ?? 0))}"/>`,
      `<text x="${px(x(bar.value) + 6)}" y="${px(y + barHeight / 2 + 4)}">${escapeXml(`${formatTick(Math.round(bar.value))} ${chart.unit}${bar.note ? ` (${bar.note})` : ''}`)}</text>`,
    );
  });
  const axisY = top + bars.length * (barHeight + gap);
  parts.push(`<line x1="${px(labelWidth)}" y1="${px(axisY)}" x2="${px(labelWidth + plotWidth)}" y2="${px(axisY)}" stroke="#444"/>`);
  for (let tick = 0; tick <= 4; tick += 1) {
    const value = (axisMax * tick) / 4;
    parts.push(`<text x="${px(x(value))}" y="${px(axisY + 16)}" text-anchor="middle" fill="#444">${escapeXml(formatTick(value))}</text>`);
  }
  series.forEach((name, index) => {
    const legendY = legendTop + 18 * index;
    parts.push(
      `<rect x="${px(labelWidth)}" y="${px(legendY - 9)}" width="12" height="12" fill="${color(index)}"/>`,
      `<text x="${px(labelWidth + 18)}" y="${px(legendY + 1)}">${escapeXml(name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/**
 * Renders cumulative distributions (x: value, y: share of the sample at or below it) as a
 * standalone SVG document. The x axis ends at `xMax` (default: the largest value), so one
 * outlier does not squash the body of the distribution; values beyond it are noted.
 *
 * @param chart - title, x-axis label, series, optional x-axis end
 * @throws RangeError when there is no series or a series is empty
 * @example
 * renderCdfChart({ title: 'Ban to rejection', xLabel: 'ms', series: [{ name: 'apply', values: [0.4, 0.6] }] });
 */
export function renderCdfChart(chart: { title: string; xLabel: string; series: readonly CdfSeries[]; xMax?: number }): string {
  const { series } = chart;
  if (series.length === 0) throw new RangeError('a CDF chart needs at least one series');
  if (series.some((line) => line.values.length === 0)) throw new RangeError('every CDF series needs values');
  const left = 50;
  const top = 34;
  const plotWidth = 520;
  const plotHeight = 240;
  const width = left + plotWidth + 30;
  const height = top + plotHeight + 50 + 18 * series.length;
  const largest = Math.max(...series.map((line) => Math.max(...line.values)));
  const axisMax = niceCeiling(chart.xMax ?? largest);
  const x = (value: number) => left + (Math.min(value, axisMax) / axisMax) * plotWidth;
  const y = (share: number) => top + (1 - share) * plotHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${px(width / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (let tick = 0; tick <= 4; tick += 1) {
    const share = tick / 4;
    parts.push(
      `<line x1="${px(left)}" y1="${px(y(share))}" x2="${px(left + plotWidth)}" y2="${px(y(share))}" stroke="#ddd"/>`,
      `<text x="${px(left - 6)}" y="${px(y(share) + 4)}" text-anchor="end" fill="#444">${share * 100}%</text>`,
    );
    const value = (axisMax * tick) / 4;
    parts.push(`<text x="${px(x(value))}" y="${px(top + plotHeight + 16)}" text-anchor="middle" fill="#444">${escapeXml(formatTick(value))}</text>`);
  }
  parts.push(
    `<line x1="${px(left)}" y1="${px(top + plotHeight)}" x2="${px(left + plotWidth)}" y2="${px(top + plotHeight)}" stroke="#444"/>`,
    `<text x="${px(left + plotWidth / 2)}" y="${px(top + plotHeight + 34)}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
  );
  series.forEach((line, index) => {
    const sorted = Float64Array.from(line.values).sort();
    // A step per distinct value keeps the path short for large samples.
    const points: string[] = [`M${px(x(0))},${px(y(0))}`];
    let share = 0;
    for (let i = 0; i < sorted.length; i += 1) {
      const value = sorted[i] as number;
      if (i + 1 < sorted.length && sorted[i + 1] === value) continue;
      points.push(`H${px(x(value))}`);
      share = (i + 1) / sorted.length;
      points.push(`V${px(y(share))}`);
    }
    points.push(`H${px(x(axisMax))}`);
    const beyond = sorted.filter((value) => value > axisMax).length;
    parts.push(`<path d="${points.join('')}" fill="none" stroke="${color(index)}" stroke-width="2"/>`);
    const legendY = top + plotHeight + 52 + 18 * index;
    parts.push(
      `<rect x="${px(left)}" y="${px(legendY - 9)}" width="12" height="12" fill="${color(index)}"/>`,
      `<text x="${px(left + 18)}" y="${px(legendY + 1)}">${escapeXml(`${line.name} (n = ${sorted.length}${beyond > 0 ? `, ${beyond} beyond the axis` : ''})`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
