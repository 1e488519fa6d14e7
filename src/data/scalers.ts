/**
 * Per-column scalers, fitted on the training split only and saved with the model (`toJSON` /
 * `scalerFromJSON`), following StemGNN's `normalized` / `de_normalized`
 * (data_loader/forecast_dataloader.py):
 *
 * - z-score: (x − mean) / std with the population std (numpy `np.std`, ddof 0); a column whose
 *   std is 0 uses 1 instead, both ways.
 * - min–max: (x − min) / (max − min + 1e-5), then clipped to [0, 1] — so validation/test values
 *   outside the training range saturate; the inverse is y · (max − min + 1e-8) + min (the
 *   reference's own epsilon mismatch, so inverse ∘ transform is off by a relative ~1e-5/(max−min)).
 *   `eps`, `inverseEps` and `clip` are options for users who want an exact inverse.
 *
 * Statistics are computed in float64 from the float32 data. Arrays are row-major with the
 * column as the fastest axis ([..., cols]); tensor versions broadcast over the last axis.
 * Differences from the reference, on purpose: fitting on data with NaN is an `InputError`
 * (the reference computes its statistics before filling, giving NaN statistics), and a column
 * whose values are all equal gets std exactly 0 (numpy can return ~1e-17 there).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, UsageError } from '../util/errors.js';

/** Names of the scalers. */
export type ScalerKind = 'z-score' | 'min-max';

/** Saved form of a {@link ZScoreScaler}. `std` is the raw statistic (0 stays 0, as StemGNN saves it). */
export interface ZScoreJSON {
  kind: 'z-score';
  mean: number[];
  std: number[];
}

/** Saved form of a {@link MinMaxScaler}. */
export interface MinMaxJSON {
  kind: 'min-max';
  min: number[];
  max: number[];
  eps: number;
  inverseEps: number;
  clip: boolean;
  /** `one`: a column constant in training gets range 1 (sklearn's rule); default `eps`. */
  constantRange?: 'eps' | 'one';
}

export type ScalerJSON = ZScoreJSON | MinMaxJSON;

/** Options for fitting; used only to name columns and the file in errors. */
export interface FitOptions {
  header?: readonly string[] | null;
  source?: string;
}

/** Options of {@link MinMaxScaler.fit}. Defaults are StemGNN's. */
export interface MinMaxOptions extends FitOptions {
  /** Added to max − min when scaling. Default 1e-5. */
  eps?: number;
  /** Added to max − min when inverting. Default 1e-8. */
  inverseEps?: number;
  /** Clip transformed values to [0, 1]. Default true. */
  clip?: boolean;
  /**
   * A column constant in training: `eps` (default) scales it by eps (StemGNN's official rule),
   * `one` by 1 (sklearn's `MinMaxScaler`, which MTAD-GAT's reference uses), so test deviations
   * stay finite.
   */
  constantRange?: 'eps' | 'one';
}

/**
 * A fitted per-column affine scaler: transform y = (x − shift) / scale (then optionally clipped
 * to [0, 1]); inverse x = y · inverseScale + shift.
 */
export abstract class Scaler {
  abstract readonly kind: ScalerKind;
  /** Number of columns the scaler was fitted on. */
  readonly cols: number;
  protected readonly shift: Float64Array;
  protected readonly scale: Float64Array;
  protected readonly inverseScale: Float64Array;
  protected readonly clip: boolean;

  protected constructor(shift: Float64Array, scale: Float64Array, inverseScale: Float64Array, clip: boolean) {
    this.cols = shift.length;
    this.shift = shift;
    this.scale = scale;
    this.inverseScale = inverseScale;
    this.clip = clip;
  }

  /** Saved form, to store next to the model weights. */
  abstract toJSON(): ScalerJSON;

  /**
   * Scale a row-major array [..., cols] into `out` (a new array by default; may be `data`
   * itself to scale in place). NaN stays NaN.
   */
  transform(data: Float32Array, out: Float32Array = new Float32Array(data.length)): Float32Array {
    this.checkArray(data, out);
    const { cols, shift, scale, clip } = this;
    for (let o = 0; o < data.length; o += cols) {
      for (let c = 0; c < cols; c++) {
        let y = (data[o + c]! - shift[c]!) / scale[c]!;
        if (clip) y = y < 0 ? 0 : Math.min(y, 1);
        out[o + c] = y;
      }
    }
    return out;
  }

  /** Undo {@link transform} on a row-major array [..., cols] (into `out`, default a new array). */
  inverse(data: Float32Array, out: Float32Array = new Float32Array(data.length)): Float32Array {
    this.checkArray(data, out);
    const { cols, shift, inverseScale } = this;
    for (let o = 0; o < data.length; o += cols) {
      for (let c = 0; c < cols; c++) out[o + c] = data[o + c]! * inverseScale[c]! + shift[c]!;
    }
    return out;
  }

  /** {@link transform} for a float tensor of shape [..., cols] (broadcast ops; caller owns the result). */
  transformTensor(x: tf.Tensor): tf.Tensor {
    this.checkTensor(x);
    return tf.tidy(() => {
      const y = tf.div(tf.sub(tf.cast(x, 'float32'), tf.tensor1d(Float32Array.from(this.shift))), tf.tensor1d(Float32Array.from(this.scale)));
      return this.clip ? tf.clipByValue(y, 0, 1) : y;
    });
  }

  /** {@link inverse} for a float tensor of shape [..., cols] (caller owns the result). */
  inverseTensor(x: tf.Tensor): tf.Tensor {
    this.checkTensor(x);
    return tf.tidy(() => tf.add(tf.mul(tf.cast(x, 'float32'), tf.tensor1d(Float32Array.from(this.inverseScale))), tf.tensor1d(Float32Array.from(this.shift))));
  }

  private checkArray(data: Float32Array, out: Float32Array): void {
    if (data.length % this.cols !== 0) {
      throw new RangeError(`${this.kind} scaler: ${data.length} values are not a multiple of its ${this.cols} columns`);
    }
    if (out.length !== data.length) throw new RangeError(`${this.kind} scaler: out has ${out.length} entries, expected ${data.length}`);
  }

  private checkTensor(x: tf.Tensor): void {
    const last = x.shape[x.shape.length - 1];
    if (x.rank === 0 || last !== this.cols) {
      throw new RangeError(`${this.kind} scaler: tensor shape [${x.shape.join(', ')}] must end in its ${this.cols} columns`);
    }
  }
}

/** z-score scaler (StemGNN's default `z_score`). */
export class ZScoreScaler extends Scaler {
  readonly kind = 'z-score' as const;
  /** Per-column training mean. */
  readonly mean: Float64Array;
  /** Per-column training std (population), as computed (0 for a constant column). */
  readonly std: Float64Array;

  constructor(mean: ArrayLike<number>, std: ArrayLike<number>) {
    if (mean.length !== std.length || mean.length === 0) {
      throw new RangeError(`ZScoreScaler: mean (${mean.length}) and std (${std.length}) must be non-empty and the same length`);
    }
    const m = Float64Array.from(mean);
    const s = Float64Array.from(std);
    // A constant column would divide by zero: StemGNN uses 1 there (both directions).
    const eff = s.map((v) => (v === 0 ? 1 : v));
    super(m, eff, eff, false);
    this.mean = m;
    this.std = s;
  }

  /** Fit on the training rows (row-major, `cols` columns, no NaN). */
  static fit(data: Float32Array, cols: number, opts: FitOptions = {}): ZScoreScaler {
    const rows = checkFitData(data, cols, opts);
    const mean = new Float64Array(cols);
    const min = new Float64Array(cols).fill(Infinity);
    const max = new Float64Array(cols).fill(-Infinity);
    for (let o = 0; o < data.length; o += cols) {
      for (let c = 0; c < cols; c++) {
        const v = data[o + c]!;
        mean[c]! += v;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
      }
    }
    for (let c = 0; c < cols; c++) mean[c]! /= rows;
    // Two passes (mean, then squared deviations) for accuracy.
    const sq = new Float64Array(cols);
    for (let o = 0; o < data.length; o += cols) {
      for (let c = 0; c < cols; c++) {
        const d = data[o + c]! - mean[c]!;
        sq[c]! += d * d;
      }
    }
    const std = sq.map((s, c) => (min[c] === max[c] ? 0 : Math.sqrt(s / rows)));
    return new ZScoreScaler(mean, std);
  }

  toJSON(): ZScoreJSON {
    return { kind: 'z-score', mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  /** Restore from {@link toJSON}'s output (validated; errors name `source` and the field). */
  static fromJSON(json: unknown, source?: string): ZScoreScaler {
    const o = asObject(json, 'z-score', source);
    const mean = numberArray(o, 'mean', source);
    const std = numberArray(o, 'std', source);
    if (mean.length !== std.length) {
      throw new InputError(`z-score scaler: mean has ${mean.length} columns but std has ${std.length}`, { file: source, field: 'std' });
    }
    const neg = std.findIndex((v) => v < 0);
    if (neg >= 0) throw new InputError(`z-score scaler: std of column ${neg + 1} is negative (${std[neg]})`, { file: source, field: 'std' });
    return new ZScoreScaler(mean, std);
  }
}

/** min–max scaler (StemGNN's `min_max`, with its clipping and epsilons by default). */
export class MinMaxScaler extends Scaler {
  readonly kind = 'min-max' as const;
  /** Per-column training minimum. */
  readonly min: Float64Array;
  /** Per-column training maximum. */
  readonly max: Float64Array;
  readonly eps: number;
  readonly inverseEps: number;

  readonly constantRange: 'eps' | 'one';

  constructor(min: ArrayLike<number>, max: ArrayLike<number>, opts: { eps?: number; inverseEps?: number; clip?: boolean; constantRange?: 'eps' | 'one' } = {}) {
    if (min.length !== max.length || min.length === 0) {
      throw new RangeError(`MinMaxScaler: min (${min.length}) and max (${max.length}) must be non-empty and the same length`);
    }
    const eps = opts.eps ?? 1e-5;
    const inverseEps = opts.inverseEps ?? 1e-8;
    if (!(eps >= 0) || !(inverseEps >= 0)) throw new UsageError(`min-max scaler: eps and inverseEps must be ≥ 0, got ${eps}, ${inverseEps}`);
    const lo = Float64Array.from(min);
    const hi = Float64Array.from(max);
    const constantRange = opts.constantRange ?? 'eps';
    const range = hi.map((h, c) => (constantRange === 'one' && h - lo[c]! === 0 ? 1 : h - lo[c]!));
    super(
      lo,
      range.map((r) => r + eps),
      range.map((r) => r + inverseEps),
      opts.clip ?? true,
    );
    if (range.some((r) => r + eps === 0)) {
      throw new UsageError('min-max scaler: a constant column with eps 0 would divide by zero');
    }
    this.constantRange = constantRange;
    this.min = lo;
    this.max = hi;
    this.eps = eps;
    this.inverseEps = inverseEps;
  }

  /** Fit on the training rows (row-major, `cols` columns, no NaN). */
  static fit(data: Float32Array, cols: number, opts: MinMaxOptions = {}): MinMaxScaler {
    checkFitData(data, cols, opts);
    const min = new Float64Array(cols).fill(Infinity);
    const max = new Float64Array(cols).fill(-Infinity);
    for (let o = 0; o < data.length; o += cols) {
      for (let c = 0; c < cols; c++) {
        const v = data[o + c]!;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
      }
    }
    return new MinMaxScaler(min, max, opts);
  }

  toJSON(): MinMaxJSON {
    return {
      kind: 'min-max',
      min: Array.from(this.min),
      max: Array.from(this.max),
      eps: this.eps,
      inverseEps: this.inverseEps,
      clip: this.clip,
      ...(this.constantRange === 'one' ? { constantRange: 'one' as const } : {}),
    };
  }

  /** Restore from {@link toJSON}'s output (validated; errors name `source` and the field). */
  static fromJSON(json: unknown, source?: string): MinMaxScaler {
    const o = asObject(json, 'min-max', source);
    const min = numberArray(o, 'min', source);
    const max = numberArray(o, 'max', source);
    if (min.length !== max.length) {
      throw new InputError(`min-max scaler: min has ${min.length} columns but max has ${max.length}`, { file: source, field: 'max' });
    }
    const bad = min.findIndex((v, c) => v > max[c]!);
    if (bad >= 0) throw new InputError(`min-max scaler: column ${bad + 1} has min ${min[bad]} > max ${max[bad]}`, { file: source, field: 'min' });
    for (const f of ['eps', 'inverseEps'] as const) {
      if (typeof o[f] !== 'number' || !(o[f] >= 0)) throw new InputError(`min-max scaler: '${f}' must be a number ≥ 0`, { file: source, field: f });
    }
    if (typeof o.clip !== 'boolean') throw new InputError(`min-max scaler: 'clip' must be true or false`, { file: source, field: 'clip' });
    if (o.constantRange !== undefined && o.constantRange !== 'eps' && o.constantRange !== 'one')
      throw new InputError(`min-max scaler: 'constantRange' must be eps or one`, { file: source, field: 'constantRange' });
    return new MinMaxScaler(min, max, { eps: o.eps as number, inverseEps: o.inverseEps as number, clip: o.clip, constantRange: o.constantRange as 'eps' | 'one' | undefined });
  }
}

/** Fit a scaler of the given kind on training rows. */
export function fitScaler(kind: ScalerKind, data: Float32Array, cols: number, opts: MinMaxOptions = {}): Scaler {
  switch (kind) {
    case 'z-score':
      return ZScoreScaler.fit(data, cols, opts);
    case 'min-max':
      return MinMaxScaler.fit(data, cols, opts);
    default:
      throw new UsageError(`unknown scaler '${String(kind)}'; accepted: z-score, min-max`);
  }
}

/** Restore any scaler from its saved JSON (dispatching on `kind`). */
export function scalerFromJSON(json: unknown, source?: string): Scaler {
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'z-score') return ZScoreScaler.fromJSON(json, source);
  if (kind === 'min-max') return MinMaxScaler.fromJSON(json, source);
  throw new InputError(`unknown scaler kind ${JSON.stringify(kind)}; accepted: "z-score", "min-max"`, { file: source, field: 'kind' });
}

function checkFitData(data: Float32Array, cols: number, opts: FitOptions): number {
  if (!Number.isInteger(cols) || cols <= 0 || data.length % cols !== 0) {
    throw new RangeError(`scaler fit: ${data.length} values are not rows of ${cols} columns`);
  }
  const rows = data.length / cols;
  if (rows === 0) throw new InputError('cannot fit a scaler on zero training rows', { file: opts.source });
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      const c = i % cols;
      throw new InputError(
        `training data has a ${v !== v ? 'missing (NaN)' : 'non-finite'} value at data row ${Math.floor(i / cols) + 1}; ` + 'fill missing values (fillForwardBackward) before fitting the scaler',
        { file: opts.source, column: c + 1, field: opts.header?.[c] },
      );
    }
  }
  return rows;
}

function asObject(json: unknown, kind: ScalerKind, source?: string): Record<string, unknown> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`${kind} scaler: expected an object`, { file: source });
  }
  const o = json as Record<string, unknown>;
  if (o.kind !== kind) throw new InputError(`expected a ${kind} scaler, got kind ${JSON.stringify(o.kind)}`, { file: source, field: 'kind' });
  return o;
}

function numberArray(o: Record<string, unknown>, field: string, source?: string): number[] {
  const v = o[field];
  if (!Array.isArray(v) || v.length === 0) throw new InputError(`scaler: '${field}' must be a non-empty array of numbers`, { file: source, field });
  const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
  if (bad >= 0) throw new InputError(`scaler: '${field}' entry ${bad + 1} is not a finite number (${JSON.stringify(v[bad])})`, { file: source, field });
  return v as number[];
}
