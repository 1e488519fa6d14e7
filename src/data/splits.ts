/**
 * Chronological train/validation/test splits of a time series (rows in time order).
 */
import { InputError, UsageError } from '../util/errors.js';

/** Half-open row range [start, end). */
export type RowRange = readonly [start: number, end: number];

/** Row ranges of the three splits; they are contiguous and cover all rows in order. */
export interface ChronologicalSplit {
  train: RowRange;
  valid: RowRange;
  test: RowRange;
}

/** Split names, in time order. */
export const SPLIT_NAMES = ['train', 'valid', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

/**
 * Split `nRows` time-ordered rows into train, valid and test by ratio, without shuffling.
 *
 * The ratios are weights (normalised by their sum) and the boundaries are computed exactly as
 * StemGNN's `main.py` does: with r = w / (w_train + w_valid + w_test),
 * train = [0, trunc(r_train·n)), valid = [that, trunc((r_train + r_valid)·n)), test = the rest,
 * in float64 — so truncation, not rounding, and `[7, 2, 1]` (StemGNN's default, used here)
 * can differ by one row from `[0.7, 0.2, 0.1]` (n = 100: valid ends at 89 vs 90).
 *
 * A split with weight 0 may be empty; a split with a positive weight that gets no rows is an
 * `InputError` naming the split and all sizes. Bad ratios are a `UsageError`.
 */
export function chronologicalSplit(nRows: number, ratios: readonly number[] = [7, 2, 1], opts: { source?: string } = {}): ChronologicalSplit {
  if (!Array.isArray(ratios) || ratios.length !== 3 || ratios.some((r) => !Number.isFinite(r) || r < 0)) {
    throw new UsageError(`split ratios must be three non-negative numbers (train, valid, test), got ${JSON.stringify(ratios)}`);
  }
  const [a, b, c] = ratios as [number, number, number];
  if (!(a > 0)) throw new UsageError(`the train split ratio must be positive, got ${JSON.stringify(ratios)}`);
  if (!Number.isInteger(nRows) || nRows < 0) throw new RangeError(`chronologicalSplit: nRows must be a non-negative integer, got ${nRows}`);
  const total = a + b + c;
  const trainRatio = a / total;
  const validRatio = b / total;
  const trainEnd = Math.trunc(trainRatio * nRows);
  const validEnd = Math.trunc((trainRatio + validRatio) * nRows);
  const split: ChronologicalSplit = { train: [0, trainEnd], valid: [trainEnd, validEnd], test: [validEnd, nRows] };
  SPLIT_NAMES.forEach((name, i) => {
    const [s, e] = split[name];
    if (e <= s && ratios[i]! > 0) {
      const sizes = SPLIT_NAMES.map((n) => `${n} ${split[n][1] - split[n][0]}`).join(', ');
      throw new InputError(`the ${name} split is empty: ${nRows} rows split by ratios ${ratios.join(':')} give ${sizes} rows; ` + `use more rows or a larger ${name} ratio`, { file: opts.source });
    }
  });
  return split;
}

/** Number of rows in a range. */
export function rangeLength(range: RowRange): number {
  return range[1] - range[0];
}

/**
 * The rows of `range` of a row-major array with `cols` columns, as a view (no copy): a split is
 * one contiguous block, so filling or scaling the view changes the full array.
 */
export function splitView(data: Float32Array, cols: number, range: RowRange): Float32Array {
  const [s, e] = range;
  if (!(s >= 0 && e >= s && e * cols <= data.length)) {
    throw new RangeError(`splitView: rows [${s}, ${e}) out of bounds for ${data.length / cols} rows`);
  }
  return data.subarray(s * cols, e * cols);
}
