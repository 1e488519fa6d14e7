/**
 * StemGNN's data protocol (official `main.py` + `data_loader/forecast_dataloader.py`): a T × N
 * numeric CSV, a chronological 7:2:1 split, each split filled forward then backward on its own,
 * windows that never cross a split, and train-split normalisation (z-score with std 0 → 1, or
 * min–max with the official clipping). Bad input is an `InputError` naming file, line and column.
 */
import { chronologicalSplit, fillForwardBackward, fitScaler, slidingWindowStarts, splitView, type ChronologicalSplit, type RowRange, type Scaler, type SplitName } from '../../data/index.js';
import type { SeriesTable } from '../../data/table.js';
import { InputError } from '../../util/errors.js';
import type { StemGNNConfig } from './config.js';

export type { SeriesTable, HeaderMode } from '../../data/table.js';
export { seriesNames } from '../../data/table.js';

/** A series prepared for training or evaluation. */
export interface PreparedSeries {
  table: SeriesTable;
  split: ChronologicalSplit;
  /** Values with each split filled forward then backward on its own, [rows, cols]. */
  filled: Float32Array;
  /** Normalised values (model input), [rows, cols]. */
  scaled: Float32Array;
  /**
   * De-normalised normalised values, [rows, cols]: what the official code compares against
   * (targets go through normalise → de-normalise too, so min–max clipping shows up in them).
   */
  evalRaw: Float32Array;
  scaler: Scaler;
  /** Absolute start rows of the windows of each split. */
  starts: Record<SplitName, Int32Array>;
  window: number;
  horizon: number;
}

/** Options of {@link prepareSeries}. */
export interface PrepareOptions {
  window: number;
  horizon: number;
  splitRatios: readonly number[];
  norm: StemGNNConfig['norm'];
  /** Use these statistics (e.g. from a checkpoint) instead of fitting on the train split. */
  scaler?: Scaler;
  /** Splits that must hold at least one window (default all three). */
  required?: SplitName[];
}

/**
 * Split, fill, normalise and cut windows exactly as the official loader does. Errors name the
 * file and the lines of a split that is too short for one window.
 */
export function prepareSeries(table: SeriesTable, opts: PrepareOptions): PreparedSeries {
  const { window, horizon } = opts;
  const { source, rows, cols, firstLine } = table;
  if (rows < window + horizon) {
    throw new InputError(`only ${rows} data rows (lines ${firstLine}–${firstLine + rows - 1}); window ${window} + horizon ${horizon} = ${window + horizon} rows are needed for one window`, {
      file: source,
      line: firstLine + rows - 1,
    });
  }
  const split = chronologicalSplit(rows, opts.splitRatios, { source });
  const filled = Float32Array.from(table.data);
  for (const name of ['train', 'valid', 'test'] as const) {
    const r = split[name];
    if (r[1] > r[0]) fillForwardBackward(splitView(filled, cols, r), r[1] - r[0], cols, { header: table.header, split: name, source });
  }
  const scaler = opts.scaler ?? fitScaler(opts.norm, splitView(filled, cols, split.train), cols, { header: table.header, source });
  if (scaler.cols !== cols) {
    throw new InputError(`the file has ${cols} columns but the model was trained on ${scaler.cols} series`, { file: source, line: table.header ? 1 : firstLine });
  }
  const scaled = scaler.transform(filled);
  const evalRaw = scaler.inverse(scaled);
  const required = opts.required ?? ['train', 'valid', 'test'];
  const starts = {} as Record<SplitName, Int32Array>;
  for (const name of ['train', 'valid', 'test'] as const) {
    const r = split[name];
    starts[name] = slidingWindowStarts(r[1] - r[0], window, horizon, 1, { offset: r[0] });
    if (starts[name].length === 0 && required.includes(name)) throw shortSplit(name, r, table, window, horizon, opts.splitRatios);
  }
  return { table, split, filled, scaled, evalRaw, scaler, starts, window, horizon };
}

function shortSplit(name: string, r: RowRange, t: SeriesTable, w: number, h: number, ratios: readonly number[]): InputError {
  const n = r[1] - r[0];
  const where = n > 0 ? `lines ${t.firstLine + r[0]}–${t.firstLine + r[1] - 1}` : 'no lines';
  return new InputError(
    `the ${name} split (${ratios.join(':')} of ${t.rows} rows) has ${n} rows (${where}), fewer than window ${w} + horizon ${h} = ${w + h}; ` + 'give more rows or change --split-ratios',
    { file: t.source, line: n > 0 ? t.firstLine + r[1] - 1 : t.firstLine + t.rows - 1 },
  );
}
