import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderReport, writeReport, flattenConfig } from '../../src/report/report.js';
import { nodeStorage } from '../../src/node/storage.js';
import { barChart, heatmap, lineChart, renderChartSvg, seriesWithIntervals, type ChartSpec } from '../../src/report/charts.js';
import { escapeHtml, formatNumber } from '../../src/report/html.js';
import { sampleReportInput } from './sample-report.js';

const PYTHON = '/usr/bin/python3';
const NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);

function extractSvgs(html: string): string[] {
  return html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
}

/** Parse each SVG with Python's XML parser; returns the number of `rect` items per SVG's first rect-mark group. */
function parseSvgsWithPython(svgs: string[]): { ok: boolean; out: string } {
  const script = `
import json, sys, xml.dom.minidom as m
svgs = json.load(sys.stdin)
counts = []
for s in svgs:
    d = m.parseString(s)
    assert d.documentElement.tagName == 'svg'
    n = -1
    for g in d.getElementsByTagName('g'):
        if 'mark-rect role-mark' in g.getAttribute('class'):
            n = len([c for c in g.childNodes if c.nodeType == 1])
            break
    counts.append(n)
print(json.dumps(counts))
`;
  const res = spawnSync(PYTHON, ['-c', script], { input: JSON.stringify(svgs), encoding: 'utf8' });
  return { ok: res.status === 0, out: res.status === 0 ? res.stdout : res.stderr };
}

test('formatNumber and escapeHtml', () => {
  assert.equal(formatNumber(0.4321), '0.4321');
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(12.35), '12.35');
  assert.equal(formatNumber(3), '3');
  assert.equal(formatNumber(0.00012346), '1.235e-4');
  assert.equal(formatNumber(123456.7), '1.235e+5');
  assert.equal(formatNumber(null), '—');
  assert.equal(formatNumber(Number.NaN), 'NaN');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('flattenConfig flattens nested objects to dotted keys', () => {
  assert.deepEqual(flattenConfig({ a: { b: 1, c: { d: 'x' } }, e: [1, 2], f: null, g: {} }), [
    ['a.b', '1'],
    ['a.c.d', 'x'],
    ['e', '[1,2]'],
    ['f', 'null'],
    ['g', '{}'],
  ]);
});

test('sample report: metrics, config, escaping, well-formed SVG charts, no external references', async () => {
  const input = sampleReportInput();
  const html = await renderReport(input);

  assert.ok(html.startsWith('<!DOCTYPE html>'));
  // User strings are escaped, never live markup.
  assert.ok(!/<script/i.test(html));
  assert.ok(html.includes('StemGNN on chicago &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(html.includes('value with &quot;quotes&quot; &amp; &lt;tags&gt;'));

  // Metrics table: every value, the split and dataset, baselines tagged, best value bold.
  for (const v of ['0.4321', '0.6789', '12.35', '0.361', '0.5523', '10.01', '0.9876', '1.234']) {
    assert.ok(html.includes(`>${v}</td>`), `metric value ${v} missing`);
  }
  assert.ok(html.includes('split <b>test</b> of dataset <b>chicago</b>'));
  assert.ok(html.includes('<td class="num best">0.361</td>'));
  assert.ok(html.includes('<td class="num best">10.01</td>'));
  assert.ok(html.includes('<td class="num">—</td>'));
  assert.match(html, /<tr class="model"><th scope="row">StemGNN<\/th>/);
  assert.match(html, /seasonal-naive\(7\)<span class="tag">baseline<\/span>/);

  // Run and configuration tables.
  assert.ok(html.includes('<th scope="row">optimizer.lr</th><td>0.0001</td>'));
  assert.ok(html.includes('<th scope="row">model.window</th><td>12</td>'));
  assert.ok(html.includes('<th scope="row">run id</th><td>20261126-041500-ab12</td>'));
  assert.ok(html.includes('<th scope="row">dataset sha256</th><td>' + 'ab'.repeat(32) + '</td>'));

  // Section table from the system-specific part.
  assert.ok(html.includes('<td class="num">0.8123</td>'));

  // Charts: 2 training curves (loss, mae) + intervals + heatmap + bar chart, each well-formed XML.
  const svgs = extractSvgs(html);
  assert.equal(svgs.length, 5);
  const parsed = parseSvgsWithPython(svgs);
  assert.ok(parsed.ok, parsed.out);
  const rectCounts = JSON.parse(parsed.out) as number[];
  // Interval chart: 3 shaded bands; heatmap: 8 × 8 cells; bar chart: 8 stations × 2 series.
  assert.deepEqual(rectCounts.slice(2), [3, 64, 16]);

  // Nothing to fetch: the only URLs are the SVG namespace names.
  const urls = html.match(/https?:\/\/[^\s"'<>)]*/g) ?? [];
  for (const u of urls) assert.ok(NAMESPACES.has(u), `external reference ${u}`);
  assert.ok(!/<link\b|<img\b|<iframe\b|@import|@font-face/i.test(html));
  assert.ok(html.includes(`default-src 'none'`));
});

test('ids are unique across charts and every url(#id) resolves', async () => {
  const m = [
    [1, 2],
    [3, 4],
  ];
  const html = await renderReport({
    title: 'two heatmaps',
    sections: [{ title: 'maps', charts: [heatmap(m, { title: 'first' }), heatmap(m, { title: 'second' })] }],
  });
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((x) => x[1]!);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(', ')}`);
  const refs = [...html.matchAll(/url\(#([^)]+)\)/g)].map((x) => x[1]!);
  assert.ok(refs.length >= 2, 'expected gradient legends referencing ids');
  for (const r of refs) assert.ok(ids.includes(r), `dangling reference #${r}`);
});

test('chart text is escaped inside the SVG', async () => {
  const svg = await renderChartSvg(lineChart({ title: 'a<b & "c"', series: [{ name: 'x<y', values: [1, 2, 3] }] }));
  assert.ok(svg.includes('a&lt;b &amp;'));
  assert.ok(!svg.includes('a<b'));
  const parsed = parseSvgsWithPython([svg]);
  assert.ok(parsed.ok, parsed.out);
});

test('chart builders reject malformed input', () => {
  assert.throws(() => lineChart({ title: 't', x: [0, 1], series: [{ name: 's', values: [1, 2, 3] }] }), /3 values but 2 x/);
  assert.throws(
    () =>
      lineChart({
        title: 't',
        series: [
          { name: 's', values: [1] },
          { name: 's', values: [2] },
        ],
      }),
    /duplicate series name "s"/,
  );
  assert.throws(() => heatmap([[1, 2], [3]], { title: 'h' }), /row 1 has 1 columns, expected 2/);
  assert.throws(() => heatmap([[1, 2]], { title: 'h', colLabels: ['a', 'a'] }), /duplicate column label/);
  assert.throws(() => seriesWithIntervals({ title: 'i', series: [{ name: 's', values: [1, 2] }], intervals: [{ start: 5, end: 2 }] }), /interval 0 \[5, 2\]/);
  assert.throws(() => barChart({ title: 'b', categories: ['a', 'b'], values: [1] }), /1 values for 2 categories/);
});

test('specs that would load data from elsewhere are refused', async () => {
  const spec = {
    data: { url: 'https://example.com/data.csv' },
    mark: 'point',
    encoding: { x: { field: 'a', type: 'quantitative' } },
  } as ChartSpec;
  await assert.rejects(renderChartSvg(spec), /may not load/);
  await assert.rejects(renderReport({ title: 't', sections: [{ title: 's', html: '<img src="https://example.com/x.png">' }] }), /external resource/);
});

test('NaN values leave gaps instead of breaking the chart', async () => {
  const svg = await renderChartSvg(lineChart({ title: 'loss', series: [{ name: 'train', values: [1, Number.NaN, 0.5, Number.POSITIVE_INFINITY, 0.25] }] }));
  assert.ok(!svg.includes('NaN'));
  assert.ok(svg.includes('<path'));
});

test('writeReport writes atomically and a report process exits by itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-report-'));
  try {
    const out = join(dir, 'report.html');
    const script = fileURLToPath(new URL('./sample-report.ts', import.meta.url));
    // The timeout only guards against a hang (vega timers keeping Node alive); it is not a measurement.
    const res = spawnSync(process.execPath, ['--import', 'tsx', script, out], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.signal, null, 'report process did not exit by itself');
    assert.equal(res.status, 0, res.stderr);
    assert.ok(existsSync(out));
    assert.ok(readFileSync(out, 'utf8').includes('</html>'));
    assert.deepEqual(readdirSync(dir), ['report.html']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeReport in-process matches renderReport', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-report-'));
  try {
    const input = { title: 'small', metrics: [{ split: 'val', dataset: 'toy', rows: [{ label: 'm', kind: 'model' as const, values: { acc: 0.5 } }] }] };
    const out = join(dir, 'r.html');
    await writeReport(nodeStorage, out, input);
    assert.equal(readFileSync(out, 'utf8'), await renderReport(input));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
