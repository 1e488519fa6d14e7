/**
 * Hard-label classification metrics with scikit-learn's semantics (`accuracy_score`,
 * `confusion_matrix`, `precision_recall_fscore_support` with `zero_division=0`). Labels are
 * integer class ids; argument order is (yTrue, yPred) as in scikit-learn.
 */
import { InputError } from '../util/errors.js';
import { checkBinaryLabels, checkIntegerLabels, checkPair, type NumericArray } from './checks.js';

/** Fraction of positions where yPred equals yTrue, in [0, 1]. */
export function accuracy(yTrue: NumericArray, yPred: NumericArray): number {
  checkPair('accuracy', 'yTrue', yTrue, 'yPred', yPred);
  let hit = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hit++;
  return hit / yTrue.length;
}

/** A confusion matrix and the class labels its rows and columns stand for. */
export interface ConfusionMatrix {
  /** Class labels (ascending, or in the order given); row/column c is class labels[c]. */
  labels: number[];
  /** matrix[i][j] = number of samples with true class labels[i] predicted as labels[j]. */
  matrix: number[][];
}

/**
 * Confusion matrix (rows = true class, columns = predicted class), like scikit-learn's
 * `confusion_matrix`. Classes are `labels` if given (samples whose true or predicted class is not
 * in it are ignored, as in scikit-learn), otherwise the sorted union of the values in yTrue and yPred.
 */
export function confusionMatrix(yTrue: NumericArray, yPred: NumericArray, labels?: readonly number[]): ConfusionMatrix {
  checkPair('confusionMatrix', 'yTrue', yTrue, 'yPred', yPred);
  checkIntegerLabels('confusionMatrix', 'yTrue', yTrue);
  checkIntegerLabels('confusionMatrix', 'yPred', yPred);
  const classes = labels !== undefined ? checkedLabelList(labels) : unionSorted(yTrue, yPred);
  const index = new Map<number, number>();
  classes.forEach((c, i) => index.set(c, i));
  const k = classes.length;
  const counts = new Float64Array(k * k);
  for (let i = 0; i < yTrue.length; i++) {
    const a = index.get(yTrue[i]!);
    const b = index.get(yPred[i]!);
    if (a !== undefined && b !== undefined) counts[a * k + b]!++;
  }
  const matrix: number[][] = [];
  for (let i = 0; i < k; i++) matrix.push(Array.from(counts.subarray(i * k, (i + 1) * k)));
  return { labels: classes, matrix };
}

/** Options of {@link precisionRecallF1}. */
export interface PrfOptions {
  /**
   * 'binary': scores of class `posLabel` only; labels must be 0/1.
   * 'macro': unweighted mean over classes of the per-class precision, recall and F1 (macro-F1 is
   * the mean of per-class F1s, not the F1 of macro precision and recall).
   */
  average: 'binary' | 'macro';
  /** Positive class for 'binary' (0 or 1). Default 1. */
  posLabel?: 0 | 1;
  /** Classes to average over for 'macro'; default = sorted union of yTrue and yPred. Classes absent from both count with 0. */
  labels?: readonly number[];
}

/** Precision, recall and F1, each in [0, 1]. */
export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

/**
 * Precision, recall and F1 with scikit-learn's `precision_recall_fscore_support` semantics and
 * `zero_division=0`: per class, precision = tp/(tp+fp), recall = tp/(tp+fn),
 * F1 = 2·tp/(2·tp+fp+fn); any 0/0 is taken as 0.
 */
export function precisionRecallF1(yTrue: NumericArray, yPred: NumericArray, options: PrfOptions): Prf {
  const fn = 'precisionRecallF1';
  checkPair(fn, 'yTrue', yTrue, 'yPred', yPred);
  if (options.average === 'binary') {
    checkBinaryLabels(fn, 'yTrue', yTrue);
    checkBinaryLabels(fn, 'yPred', yPred);
    const pos = options.posLabel ?? 1;
    if (pos !== 0 && pos !== 1) throw new RangeError(`${fn}: posLabel must be 0 or 1, got ${String(pos)}`);
    let tp = 0;
    let fp = 0;
    let fnc = 0;
    for (let i = 0; i < yTrue.length; i++) {
      const t = yTrue[i] === pos;
      const p = yPred[i] === pos;
      if (t && p) tp++;
      else if (p) fp++;
      else if (t) fnc++;
    }
    return prfFromCounts(tp, fp, fnc);
  }
  if (options.average !== 'macro') {
    throw new RangeError(`${fn}: average must be 'binary' or 'macro', got ${String(options.average)}`);
  }
  const cm = confusionMatrix(yTrue, yPred, options.labels);
  const k = cm.labels.length;
  if (k === 0) throw new RangeError(`${fn}: labels is empty`);
  let sp = 0;
  let sr = 0;
  let sf = 0;
  for (let c = 0; c < k; c++) {
    const tp = cm.matrix[c]![c]!;
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < k; j++) {
      predicted += cm.matrix[j]![c]!;
      actual += cm.matrix[c]![j]!;
    }
    const r = prfFromCounts(tp, predicted - tp, actual - tp);
    sp += r.precision;
    sr += r.recall;
    sf += r.f1;
  }
  return { precision: sp / k, recall: sr / k, f1: sf / k };
}

function prfFromCounts(tp: number, fp: number, fn: number): Prf {
  return {
    precision: tp + fp === 0 ? 0 : tp / (tp + fp),
    recall: tp + fn === 0 ? 0 : tp / (tp + fn),
    f1: 2 * tp + fp + fn === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn),
  };
}

function unionSorted(a: NumericArray, b: NumericArray): number[] {
  const s = new Set<number>();
  for (let i = 0; i < a.length; i++) s.add(a[i]!);
  for (let i = 0; i < b.length; i++) s.add(b[i]!);
  return [...s].sort((x, y) => x - y);
}

function checkedLabelList(labels: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const l of labels) {
    if (!Number.isInteger(l)) throw new InputError(`labels contains ${l}; class labels must be integers`, { field: 'labels' });
    if (seen.has(l)) throw new InputError(`labels contains ${l} twice`, { field: 'labels' });
    seen.add(l);
  }
  return [...labels];
}
