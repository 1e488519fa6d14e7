/**
 * Charts for reports: small builders that return Vega-Lite specs, and `renderChartSvg`, which
 * turns any Vega-Lite spec into a standalone SVG string in Node (no browser, canvas, fonts or
 * network). Data is always inlined in the spec; a spec that asks Vega to load a URL fails.
 */
import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

/** A Vega-Lite specification (data inlined as `data: {values: [...]}`). */
export type ChartSpec = TopLevelSpec;

/** One named line/bar series. `values[i]` pairs with `x[i]`; null or NaN leaves a gap. */
export interface Series {
  name: string;
  values: readonly (number | null)[];
  /** X positions of this series; defaults to the chart's shared `x`, else 0, 1, 2 … */
  x?: readonly number[];
}

/** Options for `lineChart`. Sizes are in pixels. */
export interface LineChartOptions {
  title: string;
  series: readonly Series[];
  /** Shared x positions for series without their own `x`. */
  x?: readonly number[];
  xLabel?: string;
  yLabel?: string;
  /** `log` for quantities spanning decades (losses); non-positive values are dropped then. */
  yScale?: 'linear' | 'log';
  /** Draw a dot at every point (useful for short curves). Default: only when ≤ 30 points per series. */
  points?: boolean;
  width?: number;
  height?: number;
}

/** A closed range of x values to shade, e.g. an anomaly from sample 120 to 134. */
export interface Interval {
  start: number;
  end: number;
  /** Legend group, e.g. `labelled anomaly` or `detected`. Default `interval`. */
  kind?: string;
}

/** Options for `seriesWithIntervals`: a line chart with shaded x ranges behind it. */
export interface IntervalChartOptions extends LineChartOptions {
  intervals: readonly Interval[];
}

/** Options for `heatmap`. */
export interface HeatmapOptions {
  title: string;
  /** Labels of the rows (top to bottom); default `0 … rows-1`. Must be unique. */
  rowLabels?: readonly string[];
  /** Labels of the columns (left to right); default `0 … cols-1`. Must be unique. */
  colLabels?: readonly string[];
  xLabel?: string;
  yLabel?: string;
  /** Legend title for the colour scale. */
  valueLabel?: string;
  /** Vega colour scheme; default `blues`, or `redblue` when `center` is set. */
  scheme?: string;
  /** Centre a diverging scale on this value (e.g. 0 for correlations). */
  center?: number;
  /** Print values in the cells. Default: when there are at most 144 cells. */
  showValues?: boolean;
  /** Largest plot width/height in pixels (default 560). */
  maxSize?: number;
}

/** Options for `barChart`. Give `values` for one series or `series` for grouped bars. */
export interface BarChartOptions {
  title: string;
  /** Category labels, in display order. Must be unique. */
  categories: readonly string[];
  values?: readonly (number | null)[];
  series?: readonly Series[];
  xLabel?: string;
  yLabel?: string;
  /** Bars run left to right with categories down the side (good for long labels). */
  horizontal?: boolean;
  width?: number;
  height?: number;
}

const DEFAULT_WIDTH = 560;
const DEFAULT_HEIGHT = 220;

/** Category-10-like palette that stays readable when printed. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const INTERVAL_PALETTE = ['#e4572e', '#f3a712', '#29335c', '#669bbc'];

/** Theme applied to every chart: system fonts only (nothing to load), quiet grid, white background. */
const THEME: Config = {
  background: 'white',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  padding: 8,
  title: { fontSize: 14, fontWeight: 600, anchor: 'start', color: '#1a1a1a', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, gridColor: '#ececec', domainColor: '#888', tickColor: '#888', labelColor: '#333', titleColor: '#333' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 500, labelLimit: 220 },
  view: { stroke: '#ddd' },
  range: { category: PALETTE },
};

function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

function requireUnique(labels: readonly string[], what: string, chart: string): void {
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l)) throw new Error(`chart "${chart}": duplicate ${what} "${l}"`);
    seen.add(l);
  }
}

interface Point {
  x: number;
  y: number | null;
  series: string;
}

/** Long-format points of all series, checking that every series' x and values have equal length. */
function seriesPoints(opts: LineChartOptions): Point[] {
  if (opts.series.length === 0) throw new Error(`chart "${opts.title}": no series`);
  requireUnique(
    opts.series.map((s) => s.name),
    'series name',
    opts.title,
  );
  const points: Point[] = [];
  for (const s of opts.series) {
    const xs = s.x ?? opts.x;
    if (xs !== undefined && xs.length !== s.values.length) {
      throw new Error(`chart "${opts.title}": series "${s.name}" has ${s.values.length} values but ${xs.length} x positions`);
    }
    for (let i = 0; i < s.values.length; i++) {
      let y = finiteOrNull(s.values[i]);
      if (opts.yScale === 'log' && y !== null && y <= 0) y = null;
      points.push({ x: xs === undefined ? i : xs[i]!, y, series: s.name });
    }
  }
  return points;
}

function lineLayer(opts: LineChartOptions, points: Point[]) {
  const perSeries = points.length / opts.series.length;
  const showPoints = opts.points ?? perSeries <= 30;
  return {
    data: { values: points },
    mark: { type: 'line' as const, point: showPoints, strokeWidth: 1.6, interpolate: 'linear' as const },
    encoding: {
      x: { field: 'x', type: 'quantitative' as const, title: opts.xLabel ?? null, scale: { zero: false, nice: false } },
      y: {
        field: 'y',
        type: 'quantitative' as const,
        title: opts.yLabel ?? null,
        scale: opts.yScale === 'log' ? { type: 'log' as const } : { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal' as const,
        title: null,
        // Keep the caller's series order in the legend and colours.
        scale: { domain: opts.series.map((s) => s.name), range: PALETTE },
        legend: opts.series.length > 1 ? { orient: 'bottom' as const, direction: 'horizontal' as const } : null,
      },
    },
  };
}

/** A line chart of one or more series against a numeric x axis (epochs, time steps). */
export function lineChart(opts: LineChartOptions): ChartSpec {
  const points = seriesPoints(opts);
  return {
    title: opts.title,
    width: opts.width ?? DEFAULT_WIDTH,
    height: opts.height ?? DEFAULT_HEIGHT,
    ...lineLayer(opts, points),
  } as ChartSpec;
}

/** Median spacing of sorted distinct x values, used to widen point intervals to a visible band. */
function medianStep(xs: readonly number[]): number {
  const sorted = [...new Set(xs)].sort((a, b) => a - b);
  if (sorted.length < 2) return 1;
  const steps = sorted.slice(1).map((v, i) => v - sorted[i]!);
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)]!;
}

/**
 * A line chart with x ranges shaded behind the lines — e.g. labelled anomaly intervals on a time
 * series. Intervals are closed ranges of x values; each band reaches half a sample step beyond
 * both ends, so a one-sample interval is still visible. Each `kind` gets its own colour and
 * legend entry.
 */
export function seriesWithIntervals(opts: IntervalChartOptions): ChartSpec {
  const points = seriesPoints(opts);
  const half = medianStep(points.map((p) => p.x)) / 2;
  const kinds: string[] = [];
  const bands = opts.intervals.map((iv, i) => {
    if (!Number.isFinite(iv.start) || !Number.isFinite(iv.end) || iv.end < iv.start) {
      throw new Error(`chart "${opts.title}": interval ${i} [${iv.start}, ${iv.end}] is not a valid range`);
    }
    const kind = iv.kind ?? 'interval';
    if (!kinds.includes(kind)) kinds.push(kind);
    return { start: iv.start - half, end: iv.end + half, kind };
  });
  const layers: unknown[] = [];
  if (bands.length > 0) {
    layers.push({
      data: { values: bands },
      mark: { type: 'rect', opacity: 0.22 },
      encoding: {
        x: { field: 'start', type: 'quantitative' },
        x2: { field: 'end' },
        fill: {
          field: 'kind',
          type: 'nominal',
          title: null,
          scale: { domain: kinds, range: INTERVAL_PALETTE },
          legend: { orient: 'bottom', direction: 'horizontal', symbolType: 'square', symbolOpacity: 0.4 },
        },
      },
    });
  }
  layers.push(lineLayer(opts, points));
  return {
    title: opts.title,
    width: opts.width ?? DEFAULT_WIDTH,
    height: opts.height ?? DEFAULT_HEIGHT,
    layer: layers,
    resolve: { scale: { fill: 'independent', color: 'independent' } },
  } as ChartSpec;
}

/** A shorter name for `seriesWithIntervals`: shade intervals on a line chart. */
export const areaShading = seriesWithIntervals;

/**
 * A heatmap of a rows × cols matrix (e.g. a learned adjacency or attention matrix). Row 0 is at
 * the top. NaN cells are left blank.
 */
export function heatmap(matrix: readonly (readonly number[])[], opts: HeatmapOptions): ChartSpec {
  const rows = matrix.length;
  const cols = rows === 0 ? 0 : matrix[0]!.length;
  if (rows === 0 || cols === 0) throw new Error(`chart "${opts.title}": empty matrix`);
  matrix.forEach((r, i) => {
    if (r.length !== cols) throw new Error(`chart "${opts.title}": row ${i} has ${r.length} columns, expected ${cols}`);
  });
  const rowLabels = opts.rowLabels ?? Array.from({ length: rows }, (_, i) => String(i));
  const colLabels = opts.colLabels ?? Array.from({ length: cols }, (_, i) => String(i));
  if (rowLabels.length !== rows) throw new Error(`chart "${opts.title}": ${rowLabels.length} row labels for ${rows} rows`);
  if (colLabels.length !== cols) throw new Error(`chart "${opts.title}": ${colLabels.length} column labels for ${cols} columns`);
  requireUnique(rowLabels, 'row label', opts.title);
  requireUnique(colLabels, 'column label', opts.title);

  let lo = Infinity;
  let hi = -Infinity;
  for (const r of matrix) for (const v of r) if (Number.isFinite(v)) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
  const center = opts.center;
  const span = center === undefined ? hi - lo : Math.max(Math.abs(hi - center), Math.abs(lo - center));
  const cells: { r: string; c: string; v: number | null; dark: boolean }[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = finiteOrNull(matrix[i]![j]);
      // Text on strongly coloured cells is white, elsewhere black.
      const t = v === null || !(span > 0) ? 0 : center === undefined ? (v - lo) / span : Math.abs(v - center) / span;
      cells.push({ r: rowLabels[i]!, c: colLabels[j]!, v, dark: t > 0.6 });
    }
  }

  const maxSize = opts.maxSize ?? 560;
  const step = Math.max(2, Math.min(36, Math.floor(maxSize / Math.max(rows, cols))));
  const showValues = opts.showValues ?? rows * cols <= 144;
  // Column labels stand upright when the longest one (≈ 6.5 px per character) is wider than a cell.
  const longest = Math.max(...colLabels.map((l) => l.length));
  const colAngle = longest * 6.5 > step ? -90 : 0;
  const axisFor = (n: number) => ({ labels: n <= 60, ticks: n <= 60, labelOverlap: true, labelLimit: 120 });
  const colorScale: Record<string, unknown> = { scheme: opts.scheme ?? (center === undefined ? 'blues' : 'redblue') };
  if (center !== undefined) colorScale.domainMid = center;

  const layers: unknown[] = [
    {
      mark: { type: 'rect' },
      encoding: {
        color: { field: 'v', type: 'quantitative', title: opts.valueLabel ?? null, scale: colorScale },
      },
    },
  ];
  if (showValues) {
    layers.push({
      mark: { type: 'text', fontSize: Math.max(7, Math.min(11, step / 3)) },
      encoding: {
        text: { field: 'v', type: 'quantitative', format: '.2~f' },
        color: { condition: { test: 'datum.dark', value: 'white' }, value: 'black' },
      },
    });
  }
  return {
    title: opts.title,
    data: { values: cells },
    width: { step },
    height: { step },
    encoding: {
      x: { field: 'c', type: 'ordinal', sort: [...colLabels], title: opts.xLabel ?? null, axis: { ...axisFor(cols), labelAngle: colAngle } },
      y: { field: 'r', type: 'ordinal', sort: [...rowLabels], title: opts.yLabel ?? null, axis: axisFor(rows) },
    },
    layer: layers,
    config: { view: { strokeWidth: 0 }, axis: { grid: false, domain: false } },
  } as ChartSpec;
}

/** A bar chart of values per category; several series draw grouped bars side by side. */
export function barChart(opts: BarChartOptions): ChartSpec {
  requireUnique(opts.categories, 'category', opts.title);
  const series: readonly Series[] = opts.series ?? (opts.values !== undefined ? [{ name: opts.yLabel ?? 'value', values: opts.values }] : []);
  if (series.length === 0) throw new Error(`chart "${opts.title}": give values or series`);
  requireUnique(
    series.map((s) => s.name),
    'series name',
    opts.title,
  );
  const data: { cat: string; y: number | null; series: string }[] = [];
  for (const s of series) {
    if (s.values.length !== opts.categories.length) {
      throw new Error(`chart "${opts.title}": series "${s.name}" has ${s.values.length} values for ${opts.categories.length} categories`);
    }
    s.values.forEach((v, i) => data.push({ cat: opts.categories[i]!, y: finiteOrNull(v), series: s.name }));
  }
  const grouped = series.length > 1;
  const catAxis = opts.horizontal ? 'y' : 'x';
  const valAxis = opts.horizontal ? 'x' : 'y';
  const offset = opts.horizontal ? 'yOffset' : 'xOffset';
  const n = opts.categories.length;
  const encoding: Record<string, unknown> = {
    [catAxis]: {
      field: 'cat',
      type: 'nominal',
      sort: [...opts.categories],
      title: opts.xLabel ?? null,
      axis: opts.horizontal ? { labelLimit: 200 } : { labelAngle: n > 8 ? -40 : 0, labelLimit: 140 },
    },
    [valAxis]: { field: 'y', type: 'quantitative', title: opts.yLabel ?? null },
    color: {
      field: 'series',
      type: 'nominal',
      title: null,
      scale: { domain: series.map((s) => s.name), range: PALETTE },
      legend: grouped ? { orient: 'bottom', direction: 'horizontal' } : null,
    },
  };
  if (grouped) encoding[offset] = { field: 'series', type: 'nominal', sort: series.map((s) => s.name) };
  // Size the category axis from the number of bars so a few bars are not stretched wide.
  const bars = n * series.length;
  const catSize = Math.min(opts.horizontal ? 520 : DEFAULT_WIDTH, Math.max(160, bars * (opts.horizontal ? 16 : 28)));
  return {
    title: opts.title,
    data: { values: data },
    width: opts.horizontal ? (opts.width ?? DEFAULT_WIDTH * 0.8) : (opts.width ?? catSize),
    height: opts.horizontal ? (opts.height ?? catSize) : (opts.height ?? DEFAULT_HEIGHT),
    mark: { type: 'bar' },
    encoding,
  } as ChartSpec;
}

type Logger = NonNullable<NonNullable<Parameters<typeof compile>[1]>['logger']>;

/**
 * Logger for Vega-Lite and Vega that keeps quiet about warnings (layout choices) and collects
 * errors. Vega logs some failures, such as a refused data load, instead of throwing, and would
 * otherwise render an empty chart.
 */
class ChartLogger implements Logger {
  readonly errors: string[] = [];
  private lvl = 1;
  level(l?: number): number | this {
    if (l === undefined) return this.lvl;
    this.lvl = l;
    return this;
  }
  error(...args: unknown[]): this {
    this.errors.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
    return this;
  }
  warn(): this {
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/**
 * A Vega loader that never touches the network or the file system. Vega only logs a failed
 * load as a warning and draws an empty chart, so refusals are also pushed to `refused`.
 */
function offlineLoader(refused: string[]): vega.Loader {
  const refuse = async (uri: string): Promise<never> => {
    refused.push(uri);
    throw new Error(`report charts may not load ${uri}`);
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

let chartCounter = 0;

/**
 * Give every `id` in an SVG a unique prefix (and rewrite references to it), so several inline
 * SVGs in one HTML page cannot pick up each other's clip paths or gradients.
 */
function namespaceIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]!);
  if (ids.size === 0) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (_, a: string, id: string) => `${a}${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : m))
    .replace(/(href=")#([^"]+)"/g, (m, a: string, id: string) => (ids.has(id) ? `${a}#${prefix}${id}"` : m));
}

/**
 * Render a Vega-Lite spec to an SVG string, in Node, with the report theme applied. No canvas,
 * fonts or network are used (text widths are estimated); the Vega view is finalized afterwards
 * so no timers keep the process alive.
 */
export async function renderChartSvg(spec: ChartSpec): Promise<string> {
  const logger = new ChartLogger();
  const vgSpec = compile(spec, { config: THEME, logger }).spec;
  const refused: string[] = [];
  const view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: offlineLoader(refused), logger });
  try {
    const svg = await view.toSVG();
    if (refused.length > 0) {
      throw new Error(`report charts may not load ${refused.join(', ')}: put the data inline (data: {values: [...]})`);
    }
    if (logger.errors.length > 0) throw new Error(`chart failed to render: ${logger.errors.join('; ')}`);
    return namespaceIds(svg, `c${++chartCounter}-`);
  } finally {
    view.finalize();
  }
}
