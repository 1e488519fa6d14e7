/**
 * Threshold-free binary metrics from real-valued scores (higher score = more likely positive):
 * ROC-AUC, average precision (step-wise) and PR-AUC (trapezoid). All three walk the *distinct*
 * score values from high to low, so tied scores form one operating point exactly as in
 * scikit-learn's `_binary_clf_curve`. Cost: two native typed-array sorts, O(n log n).
 *
 * Which PR summary to use: `averagePrecision` is scikit-learn's `average_precision_score`
 * (Σ ΔRecall · Precision, no interpolation) and is the usual "AP"; `prAucTrapezoid` is
 * `auc(recall, precision)` over scikit-learn's `precision_recall_curve`, which linearly
 * interpolates precision and is often reported as "PR-AUC". They differ, usually slightly.
 */
import { InputError } from '../util/errors.js';
import { checkBinaryLabels, checkNoNaN, checkPair, type NumericArray } from './checks.js';

/** Operating points at each distinct threshold, high to low: cumulative true/false positives. */
interface Curve {
  tps: Float64Array;
  fps: Float64Array;
  nPos: number;
  nNeg: number;
}

function binaryCurve(fn: string, yTrue: NumericArray, scores: NumericArray): Curve {
  checkPair(fn, 'yTrue', yTrue, 'scores', scores);
  checkBinaryLabels(fn, 'yTrue', yTrue);
  checkNoNaN(fn, 'scores', scores);
  let nPos = 0;
  for (let i = 0; i < yTrue.length; i++) nPos += yTrue[i]!;
  const nNeg = yTrue.length - nPos;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(nNeg);
  for (let i = 0, a = 0, b = 0; i < yTrue.length; i++) {
    if (yTrue[i] === 1) pos[a++] = scores[i]!;
    else neg[b++] = scores[i]!;
  }
  // Native ascending numeric sorts; walking both from the end merges them in descending order.
  pos.sort();
  neg.sort();
  const tps = new Float64Array(yTrue.length);
  const fps = new Float64Array(yTrue.length);
  let i = nPos - 1;
  let j = nNeg - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const v = i < 0 ? neg[j]! : j < 0 ? pos[i]! : Math.max(pos[i]!, neg[j]!);
    while (i >= 0 && pos[i] === v) {
      tp++;
      i--;
    } // === also merges -0 with +0, like numpy
    while (j >= 0 && neg[j] === v) {
      fp++;
      j--;
    }
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return { tps: tps.subarray(0, k), fps: fps.subarray(0, k), nPos, nNeg };
}

function requireClass(fn: string, count: number, which: 'positive' | 'negative'): void {
  if (count === 0) {
    throw new InputError(`${fn} is undefined: yTrue contains no ${which} samples (only class ${which === 'positive' ? 0 : 1})`, { field: 'yTrue' });
  }
}

/**
 * Area under the ROC curve, identical to scikit-learn's `roc_auc_score` for binary labels:
 * trapezoidal area through (0,0) and the (FPR, TPR) points of every distinct score threshold, so
 * a positive and a negative with equal scores count ½ (Mann–Whitney U / (P·N)). The area is
 * accumulated in exact integer counts and divided once.
 * @param yTrue labels, each 0 or 1; both classes must be present (InputError otherwise).
 * @param scores real scores, higher = more positive; no NaN.
 */
export function rocAuc(yTrue: NumericArray, scores: NumericArray): number {
  const c = binaryCurve('rocAuc', yTrue, scores);
  requireClass('ROC-AUC', c.nPos, 'positive');
  requireClass('ROC-AUC', c.nNeg, 'negative');
  let area = 0; // twice the area in units of (1 negative × 1 positive)
  let tp0 = 0;
  let fp0 = 0;
  for (let k = 0; k < c.tps.length; k++) {
    const tp = c.tps[k]!;
    const fp = c.fps[k]!;
    area += (fp - fp0) * (tp + tp0);
    tp0 = tp;
    fp0 = fp;
  }
  return area / (2 * c.nPos * c.nNeg);
}

/**
 * The ROC curve as scikit-learn's `roc_curve(drop_intermediate=False)`: false- and true-positive
 * rates at every distinct threshold from high to low, starting at (0, 0). Both classes must be present.
 */
export function rocCurve(yTrue: NumericArray, scores: NumericArray): { fpr: Float64Array; tpr: Float64Array } {
  const c = binaryCurve('rocCurve', yTrue, scores);
  requireClass('ROC curve', c.nPos, 'positive');
  requireClass('ROC curve', c.nNeg, 'negative');
  const fpr = new Float64Array(c.tps.length + 1);
  const tpr = new Float64Array(c.tps.length + 1);
  for (let k = 0; k < c.tps.length; k++) {
    fpr[k + 1] = c.fps[k]! / c.nNeg;
    tpr[k + 1] = c.tps[k]! / c.nPos;
  }
  return { fpr, tpr };
}

/**
 * Average precision, identical to scikit-learn's `average_precision_score` (binary): the
 * step-wise sum Σ_k (R_k − R_{k−1}) · P_k over distinct thresholds from high to low, with
 * R_0 = 0, R_k = TP_k / P, P_k = TP_k / (TP_k + FP_k). No trapezoid, no interpolation.
 * @param yTrue labels, each 0 or 1; at least one positive (InputError otherwise). All-positive gives 1.
 * @param scores real scores, higher = more positive; no NaN.
 */
export function averagePrecision(yTrue: NumericArray, scores: NumericArray): number {
  const c = binaryCurve('averagePrecision', yTrue, scores);
  requireClass('Average precision', c.nPos, 'positive');
  let ap = 0;
  let tp0 = 0;
  for (let k = 0; k < c.tps.length; k++) {
    const tp = c.tps[k]!;
    if (tp !== tp0) ap += ((tp - tp0) / c.nPos) * (tp / (tp + c.fps[k]!));
    tp0 = tp;
  }
  return ap;
}

/**
 * Area under the precision–recall curve by the trapezoid rule, identical to scikit-learn's
 * `auc(recall, precision)` with `precision, recall, _ = precision_recall_curve(yTrue, scores)`:
 * the curve starts at scikit-learn's conventional point (recall 0, precision 1) and passes through
 * (R_k, P_k) of every distinct threshold. This is the linearly interpolated "PR-AUC"; prefer
 * {@link averagePrecision} when an unbiased PR summary is wanted.
 * @param yTrue labels, each 0 or 1; at least one positive (InputError otherwise).
 * @param scores real scores, higher = more positive; no NaN.
 */
export function prAucTrapezoid(yTrue: NumericArray, scores: NumericArray): number {
  const c = binaryCurve('prAucTrapezoid', yTrue, scores);
  requireClass('PR-AUC', c.nPos, 'positive');
  let area = 0;
  let r0 = 0;
  let p0 = 1;
  for (let k = 0; k < c.tps.length; k++) {
    const tp = c.tps[k]!;
    const r = tp / c.nPos;
    const p = tp / (tp + c.fps[k]!);
    area += ((r - r0) * (p + p0)) / 2;
    r0 = r;
    p0 = p;
  }
  return area;
}
