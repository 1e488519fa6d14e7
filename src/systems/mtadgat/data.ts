/**
 * MTAD-GAT input: a multivariate series as the SMD layout (comma-separated rows, one time step
 * per row, no header; a labels file with one 0/1 per row) or a CSV with a header row. Training
 * and test parts come from two files (`--data train.txt --test test.txt --labels test_label.txt`)
 * or from one file cut at a row (`--data wsn.csv --train-rows 2000 --labels labels.txt`, the
 * labels then cover every row of the file).
 *
 * Scaling is the reference's sklearn `MinMaxScaler` fitted on the training rows:
 * (x − min) / (max − min), no clipping (test values may leave [0, 1], which is what makes spikes
 * visible), and a column that is constant in training gets range 1 (sklearn's rule), so it
 * never divides by zero.
 */
import { readNumericCsv, readLabels, fillForwardBackward, countMissing, MinMaxScaler } from '../../data/index.js';
import type { Matrix } from '../../data/table.js';
import type { Storage } from '../../io/storage.js';
import { InputError, UsageError } from '../../util/errors.js';

/** A series held in memory, row-major (the shared T × N shape). */
export type Series = Matrix;

/** Training and test parts of one data set, as read (unscaled). */
export interface AnomalyData {
  /** Display name (file names). */
  name: string;
  /** Column names (from the header, else `f0`, `f1`, …). */
  featureNames: string[];
  train: Series;
  test: Series | null;
  /** One 0/1 label per test row, or null. */
  labels: Float32Array | null;
  /** Where each part came from, for messages. */
  sources: { train: string; test: string | null; labels: string | null };
  /** Columns dropped as constant (with `dropConstant`). */
  dropped: string[];
}

/** Options of {@link loadAnomalyData}. */
export interface LoadOptions {
  /** Training series (or the whole series with `trainRows`). */
  data: string;
  /** Test series (same columns). */
  test?: string;
  /** Labels: one 0/1 per test row (with `test`) or per row of `data` (with `trainRows`). */
  labels?: string;
  /** Cut `data` here: rows [0, trainRows) train, the rest test. */
  trainRows?: number;
  /** Forward/backward fill missing cells (per part) instead of failing. */
  fillMissing?: boolean;
  /** Keep columns that are constant over every row given (they carry no signal; default: error). */
  allowConstant?: boolean;
  /** Drop columns that are constant over every row given. */
  dropConstant?: boolean;
  /** Minimum rows each part needs (lookback + 1). */
  minRows?: number;
  log?: (line: string) => void;
}

async function readPart(storage: Storage, path: string, fill: boolean, part: string): Promise<{ series: Series; header: string[] | null }> {
  let t: Awaited<ReturnType<typeof readNumericCsv>>;
  try {
    t = await readNumericCsv(storage, path, { allowMissing: fill });
  } catch (e) {
    if (e instanceof InputError && e.message.includes('allowed only with allowMissing')) {
      throw new InputError(
        `${e.message.replace(' (missing values are allowed only with allowMissing)', '')} — MTAD-GAT needs complete rows; fill them, or pass --fill-missing to forward/backward fill`,
        {},
      );
    }
    throw e;
  }
  if (fill) {
    const missing = countMissing(t.data, t.cols).reduce((a, b) => a + b, 0);
    if (missing > 0) fillForwardBackward(t.data, t.rows, t.cols, { header: t.header, split: part, source: path });
  }
  return { series: { data: t.data, rows: t.rows, cols: t.cols }, header: t.header };
}

/** Read and check the training/test series and labels. Errors name the file, line and column. */
export async function loadAnomalyData(storage: Storage, o: LoadOptions): Promise<AnomalyData> {
  const fill = o.fillMissing ?? false;
  const minRows = o.minRows ?? 2;
  if (o.test !== undefined && o.trainRows !== undefined) throw new UsageError('give either --test (a separate test file) or --train-rows (cut --data), not both');
  const first = await readPart(storage, o.data, fill, 'train');
  let header = first.header;
  let train: Series;
  let test: Series | null = null;
  let labels: Float32Array | null = null;
  const sources = { train: o.data, test: o.test ?? null, labels: o.labels ?? null };
  if (o.trainRows !== undefined) {
    const { rows, cols, data } = first.series;
    if (!(Number.isInteger(o.trainRows) && o.trainRows > 0 && o.trainRows < rows)) {
      throw new UsageError(`--train-rows must be an integer in 1…${rows - 1} (${o.data} has ${rows} data rows), got ${o.trainRows}`);
    }
    train = { data: data.slice(0, o.trainRows * cols), rows: o.trainRows, cols };
    test = { data: data.slice(o.trainRows * cols), rows: rows - o.trainRows, cols };
    sources.test = `${o.data} rows ${o.trainRows + 1}…${rows}`;
    if (o.labels !== undefined) {
      const all = await readLabels(storage, o.labels, { binary: true, expectedCount: rows });
      labels = all.slice(o.trainRows);
    }
  } else {
    train = first.series;
    if (o.test !== undefined) {
      const second = await readPart(storage, o.test, fill, 'test');
      test = second.series;
      if (test.cols !== train.cols) {
        throw new InputError(`has ${test.cols} columns but the training data ${o.data} has ${train.cols}`, { file: o.test });
      }
      if (header && second.header && header.join('\u0000') !== second.header.join('\u0000')) {
        const c = header.findIndex((h, i) => h !== second.header![i]);
        throw new InputError(`column ${c + 1} is named '${second.header[c]}' but '${header[c]}' in ${o.data}`, { file: o.test, line: 1, column: c + 1 });
      }
      header = header ?? second.header;
      if (o.labels !== undefined) labels = await readLabels(storage, o.labels, { binary: true, expectedCount: test.rows });
    } else if (o.labels !== undefined) {
      throw new UsageError('--labels needs test rows to label: give --test or --train-rows');
    }
  }
  if (train.rows < minRows) throw new InputError(`the training part has ${train.rows} rows; at least ${minRows} are needed (lookback + 1)`, { file: o.data });
  if (test && test.rows < minRows) throw new InputError(`the test part has ${test.rows} rows; at least ${minRows} are needed (lookback + 1)`, { file: o.test ?? o.data });
  let featureNames = header ?? Array.from({ length: train.cols }, (_, i) => `f${i}`);

  // Constant columns: over every row we were given they carry no signal.
  const constant = constantColumns(train, test);
  const dropped: string[] = [];
  if (constant.length > 0) {
    const names = constant.map((c) => `${c + 1} ('${featureNames[c]}')`);
    if (o.dropConstant) {
      const keep = featureNames.map((_, i) => i).filter((i) => !constant.includes(i));
      if (keep.length === 0) throw new InputError('every column is constant; nothing to model', { file: o.data });
      train = selectColumns(train, keep);
      if (test) test = selectColumns(test, keep);
      dropped.push(...constant.map((c) => featureNames[c]!));
      featureNames = keep.map((i) => featureNames[i]!);
      o.log?.(`dropped constant column(s) ${names.join(', ')}`);
    } else if (!o.allowConstant) {
      throw new InputError(
        `column ${names.join(', ')} ${constant.length > 1 ? 'are' : 'is'} constant over every row (it carries no signal); remove it, or pass --drop-constant (or --allow-constant to keep it)`,
        { file: o.data, column: constant[0]! + 1, field: featureNames[constant[0]!] },
      );
    }
  }
  // Paths as the user gave them; shipped files by their name in data/.
  const show = (p: string): string => (p.startsWith('shipped:') ? `data/${p.slice('shipped:'.length)}` : p);
  const name = o.trainRows !== undefined ? show(o.data) : o.test ? `${show(o.data)} + ${show(o.test)}` : show(o.data);
  return { name, featureNames, train, test, labels, sources, dropped };
}

function constantColumns(a: Series, b: Series | null): number[] {
  const out: number[] = [];
  for (let c = 0; c < a.cols; c++) {
    const v0 = a.data[c]!;
    let same = true;
    for (let r = 1; r < a.rows && same; r++) same = a.data[r * a.cols + c] === v0;
    if (b) for (let r = 0; r < b.rows && same; r++) same = b.data[r * b.cols + c] === v0;
    if (same) out.push(c);
  }
  return out;
}

/** Columns `keep` of a series. */
export function selectColumns(s: Series, keep: number[]): Series {
  const out = new Float32Array(s.rows * keep.length);
  for (let r = 0; r < s.rows; r++) for (let j = 0; j < keep.length; j++) out[r * keep.length + j] = s.data[r * s.cols + keep[j]!]!;
  return { data: out, rows: s.rows, cols: keep.length };
}

/**
 * The reference's scaling: sklearn's `MinMaxScaler` fitted on the training rows, unclipped, and a
 * column constant in training scaled by 1.
 */
export function fitMinMax(s: Series): MinMaxScaler {
  return MinMaxScaler.fit(s.data, s.cols, { eps: 0, inverseEps: 0, clip: false, constantRange: 'one' });
}

/** A series scaled with training statistics (a new series). */
export function applyMinMax(s: Series, p: MinMaxScaler): Series {
  if (p.cols !== s.cols) throw new InputError(`the model was trained on ${p.cols} columns but this series has ${s.cols}`, { field: 'columns' });
  return { data: p.transform(s.data), rows: s.rows, cols: s.cols };
}

/** Columns constant in the training part only (kept; scores stay finite because range = 1). */
export function trainConstantColumns(s: Series): number[] {
  return constantColumns(s, null);
}
