/**
 * The per-run HTML report: one self-contained file (inline CSS and SVG, no scripts, nothing
 * fetched) with the run's identity and configuration, final metrics beside baselines, training
 * curves, and any system-specific sections. Every string from a caller is HTML-escaped except
 * `ReportSection.html`, which is trusted markup built by system code (use `escapeHtml` there).
 */
import type { Storage } from '../io/storage.js';
import { type ChartSpec, lineChart, renderChartSvg } from './charts.js';
import { assertSelfContained, escapeHtml, formatNumber, slug } from './html.js';
import { REPORT_CSS } from './style.js';

/** A plain table. Numbers are formatted with `formatNumber` and right-aligned. */
export interface Table {
  caption?: string;
  columns: readonly string[];
  rows: readonly (readonly (string | number | null | undefined)[])[];
}

/** A block of system-specific content: some prose, charts, tables and/or trusted HTML. */
export interface ReportSection {
  title: string;
  description?: string;
  charts?: readonly ChartSpec[];
  tables?: readonly Table[];
  /** Trusted markup inserted as is (after the tables). Escape any user text inside it. */
  html?: string;
}

/** One row of a metrics comparison: the model itself or a baseline. */
export interface MetricRow {
  label: string;
  /** `model` rows are highlighted; default `baseline`. */
  kind?: 'model' | 'baseline';
  /** Metric name → value; a missing or null value shows as a dash. */
  values: Readonly<Record<string, number | null | undefined>>;
}

/** Final metrics of the model beside baselines, on one split of one dataset. */
export interface MetricsComparison {
  split: string;
  /** How the numbers were computed when a split has several (e.g. `official`, `POT threshold`). */
  protocol?: string;
  dataset: string;
  rows: readonly MetricRow[];
  /** Column order; default: metric names in order of first appearance. */
  metrics?: readonly string[];
  /** Which direction is better per metric; the best value in such a column is bold. */
  better?: Readonly<Record<string, 'higher' | 'lower'>>;
  /** A note under the heading, e.g. "best-F1 threshold is an oracle". */
  note?: string;
}

/** One logged epoch value (the registry's `EpochMetricRow` fits). */
export interface CurvePoint {
  epoch: number;
  split: string;
  name: string;
  value: number;
}

/** Identity of the run (a registry `RunRecord` fits); all fields optional. */
export interface ReportRunInfo {
  id?: string;
  system?: string;
  verb?: string;
  dataset?: string;
  datasetHash?: string | null;
  seed?: number | null;
  backend?: string;
  startedAt?: string;
  endedAt?: string | null;
  status?: string;
  error?: string | null;
}

/** Everything a report shows. Only `title` is required. */
export interface ReportInput {
  title: string;
  subtitle?: string;
  run?: ReportRunInfo;
  /** Resolved run configuration; nested objects are flattened to dotted keys. */
  config?: Readonly<Record<string, unknown>>;
  metrics?: readonly MetricsComparison[];
  /** Per-epoch values: one chart per metric name, one line per split. */
  curves?: readonly CurvePoint[];
  sections?: readonly ReportSection[];
  /** Shown in the footer; omitted when not given (keeps reports reproducible). */
  generatedAt?: string;
}

/** Flatten `{a: {b: 1}, c: [1, 2]}` to `[['a.b', '1'], ['c', '[1,2]']]`. */
export function flattenConfig(config: Readonly<Record<string, unknown>>, prefix = ''): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(config)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      out.push(...flattenConfig(value as Record<string, unknown>, name));
    } else if (typeof value === 'string') {
      out.push([name, value]);
    } else {
      out.push([name, value === undefined ? '' : (JSON.stringify(value) ?? String(value))]);
    }
  }
  return out;
}

function renderKeyValue(pairs: readonly [string, string][]): string {
  const body = pairs.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<div class="table-wrap"><table class="kv"><tbody>${body}</tbody></table></div>`;
}

/** Render a plain table; numeric cells are formatted and right-aligned. */
export function renderTable(table: Table): string {
  const width = table.columns.length;
  table.rows.forEach((row, i) => {
    if (row.length !== width) {
      throw new Error(`table "${table.caption ?? ''}": row ${i} has ${row.length} cells, expected ${width}`);
    }
  });
  const numericCol = table.columns.map((_, c) => table.rows.some((r) => typeof r[c] === 'number') && table.rows.every((r) => typeof r[c] !== 'string'));
  const cap = table.caption !== undefined ? `<caption>${escapeHtml(table.caption)}</caption>` : '';
  const head = table.columns.map((c, i) => `<th scope="col"${numericCol[i] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
  const body = table.rows
    .map(
      (row) =>
        '<tr>' +
        row.map((cell) => (typeof cell === 'number' || cell === null || cell === undefined ? `<td class="num">${escapeHtml(formatNumber(cell))}</td>` : `<td>${escapeHtml(cell)}</td>`)).join('') +
        '</tr>',
    )
    .join('');
  return `<div class="table-wrap"><table>${cap}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Render one model-vs-baselines table; the best value per column is bold when `better` names a direction. */
export function renderMetricsTable(m: MetricsComparison): string {
  const names: string[] = m.metrics !== undefined ? [...m.metrics] : [];
  if (m.metrics === undefined) {
    for (const row of m.rows) for (const k of Object.keys(row.values)) if (!names.includes(k)) names.push(k);
  }
  const best = new Map<string, number>();
  for (const name of names) {
    const dir = m.better?.[name];
    if (dir === undefined) continue;
    const vals = m.rows.map((r) => r.values[name]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
    if (vals.length > 1) best.set(name, dir === 'higher' ? Math.max(...vals) : Math.min(...vals));
  }
  const arrow = (name: string): string => {
    const dir = m.better?.[name];
    return dir === undefined ? '' : dir === 'higher' ? ' ↑' : ' ↓';
  };
  const head = '<th scope="col">model</th>' + names.map((n) => `<th scope="col" class="num">${escapeHtml(n + arrow(n))}</th>`).join('');
  const body = m.rows
    .map((row) => {
      const isModel = row.kind === 'model';
      const label = escapeHtml(row.label) + (isModel ? '' : '<span class="tag">baseline</span>');
      const cells = names
        .map((n) => {
          const v = row.values[n];
          const isBest = typeof v === 'number' && best.get(n) === v;
          return `<td class="num${isBest ? ' best' : ''}">${escapeHtml(formatNumber(v))}</td>`;
        })
        .join('');
      return `<tr${isModel ? ' class="model"' : ''}><th scope="row">${label}</th>${cells}</tr>`;
    })
    .join('');
  const proto = m.protocol ? `, ${escapeHtml(m.protocol)}` : '';
  const caption = `split <b>${escapeHtml(m.split)}</b> of dataset <b>${escapeHtml(m.dataset)}</b>${proto}`;
  const note = m.note !== undefined ? `<p class="description">${escapeHtml(m.note)}</p>` : '';
  return `<h3>${escapeHtml(m.dataset)} · ${escapeHtml(m.split)}${proto}</h3>${note}<div class="table-wrap"><table class="metrics"><caption>${caption}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** One line chart per metric name, one line per split, x = epoch. */
export function curveCharts(points: readonly CurvePoint[]): ChartSpec[] {
  const byName = new Map<string, Map<string, { x: number[]; values: number[] }>>();
  const sorted = [...points].sort((a, b) => a.epoch - b.epoch);
  for (const p of sorted) {
    let splits = byName.get(p.name);
    if (splits === undefined) byName.set(p.name, (splits = new Map()));
    let s = splits.get(p.split);
    if (s === undefined) splits.set(p.split, (s = { x: [], values: [] }));
    s.x.push(p.epoch);
    s.values.push(p.value);
  }
  return [...byName].map(([name, splits]) =>
    lineChart({
      title: name,
      xLabel: 'epoch',
      yLabel: name,
      series: [...splits].map(([split, s]) => ({ name: split, x: s.x, values: s.values })),
      width: 460,
      height: 200,
    }),
  );
}

async function renderCharts(charts: readonly ChartSpec[]): Promise<string> {
  if (charts.length === 0) return '';
  const figures: string[] = [];
  for (const spec of charts) figures.push(`<figure class="chart">${await renderChartSvg(spec)}</figure>`);
  return `<div class="charts">${figures.join('')}</div>`;
}

function runPairs(run: ReportRunInfo): [string, string][] {
  const pairs: [string, string][] = [];
  const add = (k: string, v: unknown): void => {
    if (v !== undefined && v !== null && v !== '') pairs.push([k, String(v)]);
  };
  add('run id', run.id);
  add('system', run.system);
  add('command', run.verb);
  add('dataset', run.dataset);
  add('dataset sha256', run.datasetHash);
  add('seed', run.seed);
  add('backend', run.backend);
  add('started', run.startedAt);
  add('ended', run.endedAt);
  add('status', run.status);
  return pairs;
}

/** Render the report to an HTML string. Charts are rendered to inline SVG one after another. */
export async function renderReport(r: ReportInput): Promise<string> {
  const toc: [string, string][] = [];
  const sections: string[] = [];
  const addSection = (title: string, body: string): void => {
    const id = `s${toc.length + 1}-${slug(title)}`;
    toc.push([id, title]);
    sections.push(`<section id="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`);
  };

  if (r.run !== undefined || r.config !== undefined) {
    const run = r.run !== undefined ? runPairs(r.run) : [];
    const cfg = r.config !== undefined ? flattenConfig(r.config) : [];
    let body = '<div class="columns">';
    if (run.length > 0) body += `<div><h3>Run</h3>${renderKeyValue(run)}</div>`;
    if (cfg.length > 0) body += `<div><h3>Configuration</h3>${renderKeyValue(cfg)}</div>`;
    body += '</div>';
    addSection('Run and configuration', body);
  }
  if (r.metrics !== undefined && r.metrics.length > 0) {
    addSection('Metrics', r.metrics.map(renderMetricsTable).join(''));
  }
  if (r.curves !== undefined && r.curves.length > 0) {
    addSection('Training curves', await renderCharts(curveCharts(r.curves)));
  }
  for (const s of r.sections ?? []) {
    let body = s.description !== undefined ? `<p class="description">${escapeHtml(s.description)}</p>` : '';
    body += await renderCharts(s.charts ?? []);
    body += (s.tables ?? []).map(renderTable).join('');
    if (s.html !== undefined) {
      assertSelfContained(s.html, `report section "${s.title}"`);
      body += s.html;
    }
    addSection(s.title, body);
  }

  const status = r.run?.status;
  const badge = status !== undefined ? `<span class="status status-${slug(status)}">${escapeHtml(status)}</span>` : '';
  const subtitle = r.subtitle !== undefined ? `<p class="subtitle">${escapeHtml(r.subtitle)}</p>` : '';
  const error = r.run?.error ? `<div class="error">${escapeHtml(r.run.error)}</div>` : '';
  const nav = toc.length > 1 ? `<nav class="toc">${toc.map(([id, t]) => `<a href="#${id}">${escapeHtml(t)}</a>`).join('')}</nav>` : '';
  const footer = `<footer>Generated by Sheaf${r.generatedAt !== undefined ? ` on ${escapeHtml(r.generatedAt)}` : ''}. This file is self-contained.</footer>`;

  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(r.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeHtml(r.title)}${badge}</h1>${subtitle}</header>
${nav}
${error}
${sections.join('\n')}
${footer}
</main>
</body>
</html>
`;
  assertSelfContained(html, 'report');
  return html;
}

/** Render the report and write it to `path` atomically (a reader never sees half a file). */
export async function writeReport(storage: Storage, path: string, r: ReportInput): Promise<void> {
  await storage.write(path, await renderReport(r));
}
