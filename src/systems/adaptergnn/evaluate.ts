/**
 * Scoring as the official `finetune.eval`: ROC-AUC per task over the molecules whose label is
 * known, tasks without both classes in the split skipped, averaged over tasks; plus the masked
 * BCE, whose test − train difference is the generalisation gap the paper plots (`paint_gap.py`).
 * The fingerprint baseline (Morgan bits + logistic regression, fitted on the train split) is
 * scored on the same molecules.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GNNGraphPred } from '../../nn/graph/gnn.js';
import { collate } from '../../nn/graph/batch.js';
import type { MolGraph } from '../../data/chem/index.js';
import { rocAuc, rocCurve } from '../../metrics/auc.js';
import { fitLogisticRegression, logisticScores, type LogisticModel } from '../../baselines/logistic_regression.js';
import { labelsOf, type MoleculeData } from './data.js';

/** Molecules per forward pass when scoring. */
const EVAL_BATCH = 256;

/** Task logits [n, T] of molecules, in eval mode (the caller sets the mode). */
export function predictLogits(net: GNNGraphPred, graphs: readonly MolGraph[]): Float32Array {
  const T = net.numTasks;
  const out = new Float32Array(graphs.length * T);
  for (let s = 0; s < graphs.length; s += EVAL_BATCH) {
    const b = collate(graphs.slice(s, s + EVAL_BATCH) as MolGraph[], { xDtype: 'int32', edgeAttrDtype: 'int32', edgeAttrWidth: 2 });
    try {
      const logits = tf.tidy(() => net.forwardBatch(b));
      out.set(logits.dataSync(), s * T);
      logits.dispose();
    } finally {
      b.dispose();
    }
  }
  return out;
}

/** Scores of one split. */
export interface SplitScores {
  /** Mean ROC-AUC over the tasks with both classes (NaN if none). */
  auc: number;
  /** ROC-AUC per task (NaN where undefined). */
  taskAucs: number[];
  /** Masked BCE over the known labels. */
  bce: number;
  molecules: number;
}

/** ROC-AUC per task, mean, and masked BCE of logits [n, T] against labels (+1/−1/0). */
export function scoreLogits(logits: ArrayLike<number>, labels: Int8Array, T: number): SplitScores {
  const n = labels.length / T;
  const taskAucs: number[] = [];
  let loss = 0;
  let count = 0;
  for (let t = 0; t < T; t++) {
    const y: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < n; i++) {
      const l = labels[i * T + t]!;
      if (l === 0) continue;
      const z = logits[i * T + t]!;
      y.push(l > 0 ? 1 : 0);
      s.push(z);
      loss += Math.max(z, 0) - z * (l > 0 ? 1 : 0) + Math.log1p(Math.exp(-Math.abs(z)));
      count++;
    }
    const pos = y.reduce((a, b) => a + b, 0);
    taskAucs.push(pos > 0 && pos < y.length ? rocAuc(y, s) : NaN);
  }
  const known = taskAucs.filter(Number.isFinite);
  return { auc: known.length ? known.reduce((a, b) => a + b, 0) / known.length : NaN, taskAucs, bce: count ? loss / count : NaN, molecules: n };
}

/** Scores of the network on the molecules `idx` of `data` (eval mode; the previous mode is restored). */
export function scoreSplit(net: GNNGraphPred, data: MoleculeData, idx: readonly number[]): SplitScores {
  const was = net.training;
  net.eval();
  try {
    return scoreLogits(
      predictLogits(
        net,
        idx.map((i) => data.graphs[i]!),
      ),
      labelsOf(data, idx),
      data.tasks.length,
    );
  } finally {
    net.train(was);
  }
}

/** ROC curve points of the first task (or the pooled tasks) for a report. */
export function rocPoints(logits: ArrayLike<number>, labels: Int8Array, T: number, task = 0): { fpr: number[]; tpr: number[] } | null {
  const y: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < labels.length / T; i++) {
    const l = labels[i * T + task]!;
    if (l === 0) continue;
    y.push(l > 0 ? 1 : 0);
    s.push(logits[i * T + task]!);
  }
  const pos = y.reduce((a, b) => a + b, 0);
  if (pos === 0 || pos === y.length) return null;
  const c = rocCurve(y, s);
  return { fpr: Array.from(c.fpr), tpr: Array.from(c.tpr) };
}

/** The Morgan-fingerprint logistic regression, one model per task, fitted on the train molecules. */
export interface FingerprintBaseline {
  models: Array<LogisticModel | null>;
  bits: number;
}

/** Fit the fingerprint baseline on the rows `train` of fingerprints `fp` [n, bits]. */
export function fitFingerprintBaseline(fp: Uint8Array, bits: number, data: Pick<MoleculeData, 'labels' | 'tasks'>, train: readonly number[]): FingerprintBaseline {
  const T = data.tasks.length;
  const models: Array<LogisticModel | null> = [];
  for (let t = 0; t < T; t++) {
    const rows = train.filter((i) => data.labels[i * T + t] !== 0);
    const y = rows.map((i) => (data.labels[i * T + t]! > 0 ? 1 : 0));
    const pos = y.reduce((a: number, b: number) => a + b, 0);
    if (pos === 0 || pos === y.length) {
      models.push(null);
      continue;
    }
    models.push(fitLogisticRegression(fingerprintRows(fp, bits, rows), rows.length, bits, y));
  }
  return { models, bits };
}

/** Decision values [k, T] of the baseline for rows `idx` (NaN for tasks it could not fit). */
export function fingerprintLogits(b: FingerprintBaseline, fp: Uint8Array, idx: readonly number[]): Float32Array {
  const T = b.models.length;
  const X = fingerprintRows(fp, b.bits, idx);
  const out = new Float32Array(idx.length * T);
  b.models.forEach((m, t) => {
    const z = m ? logisticScores(m, X, idx.length) : null;
    for (let r = 0; r < idx.length; r++) out[r * T + t] = z ? z[r]! : 0;
  });
  return out;
}

/** Rows `idx` of fingerprints `fp` [n, bits] as float32 [k, bits]. */
function fingerprintRows(fp: Uint8Array, bits: number, idx: readonly number[]): Float32Array {
  const X = new Float32Array(idx.length * bits);
  idx.forEach((i, r) => X.set(fp.subarray(i * bits, (i + 1) * bits), r * bits));
  return X;
}
