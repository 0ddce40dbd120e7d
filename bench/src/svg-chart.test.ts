import { escapeXml, niceCeiling, renderBarChart, renderCdfChart } from './svg-chart';

describe('renderBarChart', () => {
  it('draws one bar per mode, scaled to the largest, with its label and note', () => {
    const svg = renderBarChart({
      title: 'Throughput',
      unit: 'req/s',
      bars: [
        { label: 'no auth', value: 1000, note: '1.00×' },
        { label: 'veto', value: 500, note: '0.50×' },
      ],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="22"/g)].map((match) => Number(match[1]));
    expect(widths).toHaveLength(2);
    expect(widths[1]).toBeCloseTo((widths[0] as number) / 2, 0);
    expect(svg).toContain('>no auth</text>');
    expect(svg).toContain('1,000 req/s (1.00×)');
  });

  it('escapes labels so the document stays well-formed', () => {
    const svg = renderBarChart({ title: 'a < b & "c"', unit: 'x', bars: [{ label: '<script>', value: 1 }] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
  });

  it('groups bars by series: one colour per series, a legend, a repeated label printed once', () => {
    const svg = renderBarChart({
      title: 'Throughput per route',
      unit: 'req/s',
      series: ['read route', 'no-read route'],
      bars: [
        { label: 'no auth', value: 1000, series: 0 },
        { label: 'no auth', value: 4000, series: 1 },
        { label: 'veto', value: 900, series: 0 },
        { label: 'veto', value: 3800, series: 1 },
      ],
    });
    const fills = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="22" fill="([^"]+)"/g)].map((match) => match[1]);
    expect(fills).toHaveLength(4);
    expect(fills[0]).toBe(fills[2]);
    expect(fills[1]).toBe(fills[3]);
    expect(fills[0]).not.toBe(fills[1]);
    expect(svg.match(/>no auth<\/text>/g)).toHaveLength(1);
    expect(svg).toContain('>read route</text>');
    expect(svg).toContain('>no-read route</text>');
  });

  it('refuses no bars, negative values and a bar of an unknown series', () => {
    expect(() => renderBarChart({ title: 't', unit: 'u', bars: [] })).toThrow(RangeError);
    expect(() => renderBarChart({ title: 't', unit: 'u', bars: [{ label: 'x', value: -1 }] })).toThrow(RangeError);
    expect(() => renderBarChart({ title: 't', unit: 'u', series: ['one'], bars: [{ label: 'x', value: 1, series: 1 }] })).toThrow(RangeError);
  });
});

describe('renderCdfChart', () => {
  it('draws one step path per series, ending at 100%, with a legend giving n', () => {
    const svg = renderCdfChart({
      title: 'Ban to rejection',
      xLabel: 'ms',
      series: [
        { name: 'apply', values: [1, 2, 2, 3] },
        { name: 'probe', values: [2, 4] },
      ],
    });
    const paths = [...svg.matchAll(/<path d="([^"]+)"/g)].map((match) => match[1] as string);
    expect(paths).toHaveLength(2);
    // Duplicates share a step: 3 distinct values → 3 vertical moves.
    expect((paths[0] as string).match(/V/g)).toHaveLength(3);
    expect(svg).toContain('apply (n = 4)');
    expect(svg).toContain('probe (n = 2)');
    expect(svg).toContain('>100%</text>');
  });

  it('clips the axis at xMax and says how many values lie beyond it', () => {
    const svg = renderCdfChart({ title: 't', xLabel: 'ms', series: [{ name: 's', values: [1, 2, 900] }], xMax: 5 });
    expect(svg).toContain('s (n = 3, 1 beyond the axis)');
  });

  it('refuses empty input', () => {
    expect(() => renderCdfChart({ title: 't', xLabel: 'x', series: [] })).toThrow(RangeError);
    expect(() => renderCdfChart({ title: 't', xLabel: 'x', series: [{ name: 's', values: [] }] })).toThrow(RangeError);
  });
});

describe('niceCeiling and escapeXml', () => {
  it('rounds an axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceCeiling(7.3)).toBe(10);
    expect(niceCeiling(1.2)).toBe(2);
    expect(niceCeiling(4300)).toBe(5000);
    expect(niceCeiling(0.03)).toBeCloseTo(0.05);
    expect(niceCeiling(0)).toBe(1);
  });

  it('escapes the five XML-significant characters that matter here', () => {
    expect(escapeXml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
  });
});
