/**
 * Sliding windows over a row-major multivariate series.
 *
 * A window starting at row s has its input rows [s, s + window) and its target rows
 * [s + window, s + window + horizon). StemGNN's `ForecastDataset` indexes the same windows by
 * their end `hi = s + window` (x = rows [hi − window, hi), y = rows [hi, hi + horizon)), takes
 * `hi` from range(window, n − horizon + 1) and keeps every `interval`-th one, dropping a
 * partial last stride (`len // interval` windows): that is `stride = interval`,
 * `dropRemainder: true` here. MTAD-GAT's windows (x = rows [i, i + n), y = row i + n) are
 * `window = n, horizon = 1`. Windows are built per split, so they never cross a split boundary.
 */
import { InputError, UsageError } from '../util/errors.js';
import { batchIndices, type BatchOptions } from './batches.js';
import type { RowRange } from './splits.js';

/** Options of {@link slidingWindowStarts}. */
export interface WindowStartOptions {
  /** Added to every start, so starts index a larger array (e.g. a split's first row). Default 0. */
  offset?: number;
  /**
   * Keep only ⌊count / stride⌋ windows, as StemGNN's `interval` does, instead of every
   * stride-th window that fits (⌈count / stride⌉). Same result when stride is 1. Default false.
   */
  dropRemainder?: boolean;
}

/**
 * Start rows of all windows of `window` input rows plus `horizon` target rows that fit in
 * `nRows` rows, every `stride` rows. Empty when nRows < window + horizon. `horizon` may be 0
 * (reconstruction windows).
 */
export function slidingWindowStarts(nRows: number, window: number, horizon: number, stride = 1, opts: WindowStartOptions = {}): Int32Array {
  checkInt('nRows', nRows, 0);
  checkInt('window', window, 1);
  checkInt('horizon', horizon, 0);
  checkInt('stride', stride, 1);
  const offset = opts.offset ?? 0;
  checkInt('offset', offset, 0);
  const fit = nRows - window - horizon + 1; // windows with stride 1
  if (fit <= 0) return new Int32Array(0);
  const count = opts.dropRemainder ? Math.floor(fit / stride) : Math.ceil(fit / stride);
  const starts = new Int32Array(count);
  for (let j = 0; j < count; j++) starts[j] = offset + j * stride;
  return starts;
}

/** Options of {@link splitWindowStarts}. */
export interface SplitWindowOptions extends Omit<WindowStartOptions, 'offset'> {
  /** Rows between consecutive windows. Default 1. */
  stride?: number;
  /** Split name for the error message ("train", "valid", "test"). */
  split?: string;
  /** File the data came from, for the error message. */
  source?: string;
}

/**
 * Absolute start rows of the windows lying entirely inside `range` (one split). A split too
 * short for a single window is an `InputError` naming the split, its size and what it needs.
 */
export function splitWindowStarts(range: RowRange, window: number, horizon: number, opts: SplitWindowOptions = {}): Int32Array {
  const [s, e] = range;
  const starts = slidingWindowStarts(e - s, window, horizon, opts.stride ?? 1, { offset: s, dropRemainder: opts.dropRemainder });
  if (starts.length === 0) {
    const name = opts.split !== undefined ? `the ${opts.split} split` : `rows [${s}, ${e})`;
    throw new InputError(`${name} has ${e - s} rows, fewer than window ${window} + horizon ${horizon} = ${window + horizon} needed for one window`, { file: opts.source });
  }
  return starts;
}

/**
 * Window starts cut into batches (each an `Int32Array` of start rows), in order or shuffled
 * with a seeded `Rng` — see {@link batchIndices}.
 */
export function windowBatches(starts: Int32Array, batchSize: number, opts: BatchOptions = {}): Int32Array[] {
  return batchIndices(starts.length, batchSize, opts).map((idx) => {
    const out = new Int32Array(idx.length);
    for (let i = 0; i < idx.length; i++) out[i] = starts[idx[i]!]!;
    return out;
  });
}

/**
 * Copy windows out of a row-major series into one Float32Array of shape [B, length, cols]
 * (B = starts.length): entry b holds rows [starts[b] + offset, starts[b] + offset + length).
 * Inputs: `gatherWindows(data, cols, starts, window)`; targets:
 * `gatherWindows(data, cols, starts, horizon, window)`. Each window is one contiguous block,
 * so this is one `set` per window. `out`, if given, must have B·length·cols entries.
 */
export function gatherWindows(data: Float32Array, cols: number, starts: ArrayLike<number>, length: number, offset = 0, out?: Float32Array): Float32Array {
  const size = length * cols;
  const result = out ?? new Float32Array(starts.length * size);
  if (result.length !== starts.length * size) {
    throw new RangeError(`gatherWindows: out has ${result.length} entries, expected ${starts.length * size}`);
  }
  for (let b = 0; b < starts.length; b++) {
    const from = (starts[b]! + offset) * cols;
    if (!(from >= 0 && from + size <= data.length)) {
      throw new RangeError(`gatherWindows: rows [${starts[b]! + offset}, ${starts[b]! + offset + length}) outside ${data.length / cols} rows`);
    }
    result.set(data.subarray(from, from + size), b * size);
  }
  return result;
}

/** One batch of windows: inputs x [size, window, cols] and targets y [size, horizon, cols]. */
export interface WindowBatch {
  /** Start row of each window. */
  starts: Int32Array;
  /** Inputs, shape [size, window, cols], row-major. */
  x: Float32Array;
  /** Targets, shape [size, horizon, cols], row-major (empty when horizon is 0). */
  y: Float32Array;
  size: number;
  xShape: [number, number, number];
  yShape: [number, number, number];
}

/**
 * Windows of one split of a series, served as batches of (x, y) arrays ready for
 * `tf.tensor3d(batch.x, batch.xShape)`.
 */
export class WindowDataset {
  readonly data: Float32Array;
  readonly cols: number;
  readonly starts: Int32Array;
  readonly window: number;
  readonly horizon: number;

  /** `data` is the whole (already filled and scaled) series; `starts` are absolute rows. */
  constructor(data: Float32Array, cols: number, starts: Int32Array, window: number, horizon: number) {
    checkInt('cols', cols, 1);
    checkInt('window', window, 1);
    checkInt('horizon', horizon, 0);
    if (data.length % cols !== 0) throw new RangeError(`WindowDataset: ${data.length} values are not a multiple of ${cols} columns`);
    const rows = data.length / cols;
    for (let i = 0; i < starts.length; i++) {
      const s = starts[i]!;
      if (s < 0 || s + window + horizon > rows) {
        throw new RangeError(`WindowDataset: window at row ${s} (+${window}+${horizon}) exceeds ${rows} rows`);
      }
    }
    this.data = data;
    this.cols = cols;
    this.starts = starts;
    this.window = window;
    this.horizon = horizon;
  }

  /** Number of windows. */
  get length(): number {
    return this.starts.length;
  }

  /** The windows with the given starts as one batch. */
  batch(starts: Int32Array): WindowBatch {
    const { data, cols, window, horizon } = this;
    return {
      starts,
      x: gatherWindows(data, cols, starts, window),
      y: gatherWindows(data, cols, starts, horizon, window),
      size: starts.length,
      xShape: [starts.length, window, cols],
      yShape: [starts.length, horizon, cols],
    };
  }

  /** One epoch of batches (shuffled with `opts.rng` when `opts.shuffle`). */
  *batches(batchSize: number, opts: BatchOptions = {}): Generator<WindowBatch> {
    for (const starts of windowBatches(this.starts, batchSize, opts)) yield this.batch(starts);
  }
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${v}`);
}
