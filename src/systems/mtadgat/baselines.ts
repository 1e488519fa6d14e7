/**
 * Naive detectors scored on exactly the steps MTAD-GAT scores (rows lookback … end of each
 * series) and on the same target features, printed beside it so its numbers have a floor:
 *
 * - z-score: mean over features of |x − μ_train| / σ_train (raw values; σ = 0 counts as 1);
 * - persistence: mean over features of |x_t − x_{t−1}| on the min–max-scaled values.
 *
 * The data README's figures for WSN (ROC-AUC 0.951 / 0.972) are these two detectors.
 */
import type { Series } from './data.js';

/** Training statistics of the z-score detector. */
export interface ZScoreParams {
  mean: number[];
  std: number[];
}

/** Per-column mean and population std of the training rows. */
export function fitZScore(train: Series): ZScoreParams {
  const { rows, cols, data } = train;
  const mean = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c]! += data[r * cols + c]!;
  for (let c = 0; c < cols; c++) mean[c]! /= rows;
  const std = new Array<number>(cols).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) std[c]! += (data[r * cols + c]! - mean[c]!) ** 2;
  for (let c = 0; c < cols; c++) std[c] = Math.sqrt(std[c]! / rows);
  return { mean, std };
}

/** z-score detector on rows [offset, rows) of a raw series. */
export function zScoreScores(s: Series, p: ZScoreParams, targets: number[], offset: number): Float64Array {
  const out = new Float64Array(Math.max(0, s.rows - offset));
  for (let r = offset; r < s.rows; r++) {
    let acc = 0;
    for (const c of targets) acc += Math.abs(s.data[r * s.cols + c]! - p.mean[c]!) / (p.std[c]! > 0 ? p.std[c]! : 1);
    out[r - offset] = acc / targets.length;
  }
  return out;
}

/** Persistence detector on rows [offset, rows) of a scaled series (offset ≥ 1). */
export function persistenceScores(s: Series, targets: number[], offset: number): Float64Array {
  const from = Math.max(1, offset);
  const out = new Float64Array(Math.max(0, s.rows - offset));
  for (let r = from; r < s.rows; r++) {
    let acc = 0;
    for (const c of targets) acc += Math.abs(s.data[r * s.cols + c]! - s.data[(r - 1) * s.cols + c]!);
    out[r - offset] = acc / targets.length;
  }
  return out;
}
