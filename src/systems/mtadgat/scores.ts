/**
 * Anomaly scores, as the reference's `Predictor.get_score` (prediction.py): for every window
 * x = data[i : i+n], the forecast ŷ of row i+n, and the reconstruction of the window shifted by
 * one step (which includes the observed row) keeping its last row x̂. Per target feature
 *   ML4ITS: s = |ŷ − y| + γ·|x̂ − y|;   paper: s = ((ŷ − y)² + γ·(1 − p)) / (1 + γ),
 * p = the VAE's reconstruction probability of y (two-sided Gaussian tail probability
 * 2·(1 − Φ(|y − μ|/σ))). Optional per-feature robust scaling (s − median)/(1 + IQR) per series;
 * the global score is the mean over target features, optionally EWM-smoothed.
 *
 * The shifted window of window i is window i + 1, so one forward pass over the windows
 * 0…N (N = rows − n) gives both terms — half the reference's work, same numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherWindows } from '../../data/windows.js';
import { type ScoreConfig, targetIndices } from './config.js';
import type { MtadGatNet } from './model.js';
import type { Series } from './data.js';

/** Per scored step and target feature: the error terms scores are made of. Row-major [steps, dims]. */
export interface ErrorTerms {
  /** Scored steps: rows n … rows−1 of the series. */
  steps: number;
  /** Target features. */
  dims: number;
  /** Row of the series the first scored step is (the lookback n). */
  offset: number;
  /** |ŷ − y|. */
  forecastErr: Float32Array;
  /** |x̂ − y|. */
  reconErr: Float32Array;
  /** VAE only: 1 − p, p = reconstruction probability of y. */
  reconImprob: Float32Array | null;
}

/** Forecasts, reconstructions (last row of the shifted window) and actual values, [steps, dims]. */
export interface Predictions {
  forecast: Float32Array;
  recon: Float32Array;
  actual: Float32Array;
}

/**
 * Run the model (eval mode) over every window of a scaled series and return the error terms
 * (and, with `keepPredictions`, the forecasts/reconstructions). `batchSize` windows per forward pass.
 */
export function computeErrors(model: MtadGatNet, s: Series, opts: { batchSize?: number; keepPredictions?: boolean } = {}): { errors: ErrorTerms; predictions: Predictions | null } {
  const c = model.config;
  const n = c.lookback;
  const targets = targetIndices(c);
  const d = targets.length;
  const N = s.rows - n;
  if (N < 1) throw new Error(`computeErrors: ${s.rows} rows are too few for lookback ${n}`);
  const bs = opts.batchSize ?? 256;
  const wasTraining = model.training;
  model.eval();
  const vae = c.recon === 'vae';
  // Windows 0…N−1 give forecasts; windows 1…N give the reconstructions. Window N exists only as a
  // shifted window (it ends at the last row).
  const fc = new Float32Array(N * d);
  const rc = new Float32Array(N * d);
  const lv = vae ? new Float32Array(N * d) : null;
  for (let s0 = 0; s0 <= N; s0 += bs) {
    const starts = Int32Array.from({ length: Math.min(bs, N + 1 - s0) }, (_, i) => s0 + i);
    const b = starts.length;
    const xs = gatherWindows(s.data, s.cols, starts, n);
    const [f, r, v] = tf.tidy(() => {
      const out = model.forward(tf.tensor3d(xs, [b, n, s.cols]));
      const last = (t: tf.Tensor3D): tf.Tensor => tf.reshape(tf.slice(t, [0, n - 1, 0], [b, 1, d]), [b, d]);
      return [out.forecast, last(out.recon), vae ? last(out.reconLogVar!) : tf.zeros([1])];
    });
    const fd = f.dataSync() as Float32Array;
    const rd = r.dataSync() as Float32Array;
    const vd = v.dataSync() as Float32Array;
    tf.dispose([f, r, v]);
    for (let i = 0; i < b; i++) {
      const w = starts[i]!;
      if (w < N) fc.set(fd.subarray(i * d, (i + 1) * d), w * d);
      if (w >= 1) {
        rc.set(rd.subarray(i * d, (i + 1) * d), (w - 1) * d);
        if (lv) lv.set(vd.subarray(i * d, (i + 1) * d), (w - 1) * d);
      }
    }
  }
  model.train(wasTraining);
  const actual = new Float32Array(N * d);
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) actual[i * d + j] = s.data[(i + n) * s.cols + targets[j]!]!;
  const [fe, re, ri] = tf.tidy(() => {
    const a = tf.tensor2d(actual, [N, d]);
    const F = tf.tensor2d(fc, [N, d]);
    const R = tf.tensor2d(rc, [N, d]);
    const dr = tf.abs(tf.sub(R, a));
    // 1 − p with p = 2(1 − Φ(|y − μ|/σ)) = erfc(|y − μ| / (σ√2)), so 1 − p = erf(|y − μ| / (σ√2)).
    const imp = lv ? tf.erf(tf.div(dr, tf.mul(tf.exp(tf.mul(tf.tensor2d(lv, [N, d]), 0.5)), Math.SQRT2))) : tf.zeros([1]);
    return [tf.abs(tf.sub(F, a)), dr, imp];
  });
  const errors: ErrorTerms = {
    steps: N,
    dims: d,
    offset: n,
    forecastErr: fe.dataSync() as Float32Array,
    reconErr: re.dataSync() as Float32Array,
    reconImprob: lv ? (ri.dataSync() as Float32Array) : null,
  };
  tf.dispose([fe, re, ri]);
  return { errors, predictions: opts.keepPredictions ? { forecast: fc, recon: rc, actual } : null };
}

/** numpy's `percentile` (linear interpolation) of sorted values. */
function percentileSorted(sorted: Float64Array, q: number): number {
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Per-step, per-feature scores [steps, dims] (after the optional robust scaling). */
export function featureScores(e: ErrorTerms, cfg: Pick<ScoreConfig, 'gamma' | 'score' | 'scaleScores'>): Float32Array {
  const { steps, dims } = e;
  const out = new Float32Array(steps * dims);
  if (cfg.score === 'paper') {
    if (!e.reconImprob) throw new Error("score 'paper' needs the VAE's reconstruction probability");
    for (let i = 0; i < out.length; i++) out[i] = (e.forecastErr[i]! ** 2 + cfg.gamma * e.reconImprob[i]!) / (1 + cfg.gamma);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = e.forecastErr[i]! + cfg.gamma * e.reconErr[i]!;
  }
  if (cfg.scaleScores && steps > 0) {
    const col = new Float64Array(steps);
    for (let j = 0; j < dims; j++) {
      for (let i = 0; i < steps; i++) col[i] = out[i * dims + j]!;
      const sorted = Float64Array.from(col).sort();
      const q75 = percentileSorted(sorted, 75);
      const q25 = percentileSorted(sorted, 25);
      const median = percentileSorted(sorted, 50);
      for (let i = 0; i < steps; i++) out[i * dims + j] = (col[i]! - median) / (1 + (q75 - q25));
    }
  }
  return out;
}

/** Global score per step: the mean over target features. */
export function globalScores(fs: Float32Array, dims: number): Float64Array {
  const steps = fs.length / dims;
  const out = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    let s = 0;
    for (let j = 0; j < dims; j++) s += fs[i * dims + j]!;
    out[i] = s / dims;
  }
  return out;
}

/** pandas `ewm(span).mean()` (adjust=True): y_t = Σ (1−α)^i x_{t−i} / Σ (1−α)^i, α = 2/(span+1). */
export function ewmMean(x: ArrayLike<number>, span: number): Float64Array {
  const alpha = 2 / (span + 1);
  const out = new Float64Array(x.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num = x[i]! + (1 - alpha) * num;
    den = 1 + (1 - alpha) * den;
    out[i] = num / den;
  }
  return out;
}

/** The reference's smoothing span: int(256 · lookback · 0.05) (its Predictor's batch size is 256). */
export function defaultMovAvSpan(lookback: number): number {
  return Math.trunc(256 * lookback * 0.05);
}

/** Per-feature and global scores of a series' error terms under a scoring configuration. */
export interface Scores {
  /** [steps, dims]. */
  feature: Float32Array;
  /** [steps], smoothed when `useMovAv`. */
  global: Float64Array;
}

export function scoreErrors(e: ErrorTerms, cfg: ScoreConfig, lookback: number): Scores {
  const feature = featureScores(e, cfg);
  let global = globalScores(feature, e.dims);
  if (cfg.useMovAv) global = ewmMean(global, cfg.movAvSpan ?? defaultMovAvSpan(lookback));
  return { feature, global };
}

/**
 * Mean feature-attention matrix (k × k, row i = how feature i attends over features j) over the
 * windows with the given starts, in eval mode.
 */
export function meanFeatureAttention(model: MtadGatNet, s: Series, starts: ArrayLike<number>, batchSize = 128): number[][] {
  const c = model.config;
  const k = c.nFeatures;
  const acc = new Float64Array(k * k);
  const wasTraining = model.training;
  model.eval();
  let count = 0;
  for (let s0 = 0; s0 < starts.length; s0 += batchSize) {
    const st = Array.from({ length: Math.min(batchSize, starts.length - s0) }, (_, i) => starts[s0 + i]!);
    const xs = gatherWindows(s.data, s.cols, st, c.lookback);
    const m = tf.tidy(() => {
      const out = model.forward(tf.tensor3d(xs, [st.length, c.lookback, k]), { attention: true });
      return tf.sum(out.featureAttention!, 0);
    });
    const v = m.dataSync();
    m.dispose();
    for (let i = 0; i < k * k; i++) acc[i]! += v[i]!;
    count += st.length;
  }
  model.train(wasTraining);
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => acc[i * k + j]! / Math.max(1, count)));
}
