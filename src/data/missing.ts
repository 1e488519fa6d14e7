/**
 * Missing-value filling, as StemGNN's data loader does it: each split is filled on its own,
 * forward first (a NaN takes the last value above it), then backward (leading NaNs take the
 * first value below) — pandas `ffill().bfill()` per column.
 */
import { InputError } from '../util/errors.js';

/** Options of {@link fillForwardBackward}, used only for error messages. */
export interface FillOptions {
  /** Column names, to name a column in errors. */
  header?: readonly string[] | null;
  /** Which split this is ("train", ...), to name it in errors. */
  split?: string;
  /** File the data came from. */
  source?: string;
}

/**
 * Fill NaNs in place in a row-major block of `rows` × `cols` values, per column: forward, then
 * backward. Pass one split at a time (e.g. `splitView(data, cols, split.valid)`) so values never
 * leak across split boundaries. Returns the number of cells filled.
 *
 * A column with no value at all in the block cannot be filled (pandas would leave it NaN and
 * training would produce NaN); that is an `InputError` naming the column and the split.
 */
export function fillForwardBackward(data: Float32Array, rows: number, cols: number, opts: FillOptions = {}): number {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols <= 0 || data.length < rows * cols) {
    throw new RangeError(`fillForwardBackward: ${data.length} values cannot hold ${rows} rows × ${cols} columns`);
  }
  if (rows === 0) return 0;
  // Row-major sweep with one "last value" per column keeps the memory access sequential.
  const last = new Float32Array(cols).fill(NaN);
  const firstValid = new Int32Array(cols).fill(-1);
  let filled = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = data[o + c]!;
      if (v !== v) {
        const l = last[c]!;
        if (l === l) {
          data[o + c] = l;
          filled++;
        }
      } else {
        last[c] = v;
        if (firstValid[c] === -1) firstValid[c] = r;
      }
    }
  }
  for (let c = 0; c < cols; c++) {
    const f = firstValid[c]!;
    if (f === -1) {
      const name = opts.header?.[c];
      const where = opts.split !== undefined ? ` in the ${opts.split} split (${rows} rows)` : ` (${rows} rows)`;
      throw new InputError(`column has no values${where}, so its missing values cannot be filled`, {
        file: opts.source,
        column: c + 1,
        field: name,
      });
    }
    const v = data[f * cols + c]!;
    for (let r = 0; r < f; r++) data[r * cols + c] = v;
    filled += f;
  }
  return filled;
}

/** Number of NaN cells in each column of a row-major block. */
export function countMissing(data: Float32Array, cols: number): Int32Array {
  const counts = new Int32Array(cols);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v !== v) counts[i % cols] = counts[i % cols]! + 1;
  }
  return counts;
}
