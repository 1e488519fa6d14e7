/**
 * From probabilistic labels to hard labels and scores: tie-aware argmax (ties broken by a fixed
 * hash of the row index, like Snorkel's `probs_to_preds(tie_break_policy="random")` used by the
 * official code), accuracy / macro-F1, and the label-permutation fix (official
 * `check_label_swapping`: try all k! column permutations, keep the best macro-F1) — applied on
 * the validation split only.
 */
import { accuracy, precisionRecallF1 } from '../../metrics/index.js';

/** Probabilities closer than this to the row maximum count as tied (official tol 1e-5). */
export const TIE_TOLERANCE = 1e-5;

function rowHash(i: number): number {
  // splitmix32 finaliser: a fixed, well-mixed function of the row index.
  let z = (i + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Argmax of each row of an n × k probability matrix; ties (within 1e-5) broken by a hash of the row index. */
export function probsToPreds(probs: Float64Array, k: number, perm?: readonly number[]): Int32Array {
  const n = probs.length / k;
  const out = new Int32Array(n);
  const ties: number[] = [];
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let c = 0; c < k; c++) mx = Math.max(mx, probs[i * k + (perm ? perm[c]! : c)]!);
    ties.length = 0;
    for (let c = 0; c < k; c++) if (Math.abs(probs[i * k + (perm ? perm[c]! : c)]! - mx) < TIE_TOLERANCE) ties.push(c);
    out[i] = ties.length === 1 ? ties[0]! : ties[rowHash(i) % ties.length]!;
  }
  return out;
}

/** Accuracy and macro-F1 (scikit-learn semantics: macro over the classes present in y or the predictions), in [0, 1]. */
export function scores(y: Int32Array, pred: Int32Array): { accuracy: number; macroF1: number } {
  return { accuracy: accuracy(y, pred), macroF1: precisionRecallF1(y, pred, { average: 'macro' }).f1 };
}

/** All permutations of 0..k-1 in lexicographic order (itertools.permutations order). */
export function permutations(k: number): number[][] {
  const out: number[][] = [];
  const rec = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      out.push(prefix);
      return;
    }
    rest.forEach((x, i) => rec([...prefix, x], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  rec(
    [],
    Array.from({ length: k }, (_, i) => i),
  );
  return out;
}

/**
 * The column permutation of `probs` with the best macro-F1 against y (first best in
 * lexicographic order, as the official code), with its scores. `perm[c]` is the column whose
 * probability becomes class c. Refuses k > 8 (k! permutations).
 */
export function bestPermutation(probs: Float64Array, k: number, y: Int32Array): { perm: number[]; accuracy: number; macroF1: number } {
  if (k > 8) throw new RangeError(`the label-permutation search tries k! permutations; k = ${k} is too many`);
  let best = { perm: permutations(1)[0]!, accuracy: -1, macroF1: -1 };
  for (const p of permutations(k)) {
    const sc = scores(y, probsToPreds(probs, k, p));
    if (sc.macroF1 > best.macroF1) best = { perm: p, ...sc };
  }
  return best;
}

/** Apply a column permutation: out[i, c] = probs[i, perm[c]]. */
export function permuteColumns(probs: Float64Array, k: number, perm: readonly number[]): Float64Array {
  const n = probs.length / k;
  const out = new Float64Array(probs.length);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) out[i * k + c] = probs[i * k + perm[c]!]!;
  return out;
}
