/**
 * Evaluation of a detector's scores: threshold-free ROC-AUC and PR-AUC (average precision), and
 * for each threshold method — epsilon and POT fitted on the *training* scores, and the best-F1
 * grid search on the *test* labels (an oracle) — precision/recall/F1 with point adjust and raw.
 * All of it is always reported together: point-adjusted F1 alone flatters any detector.
 * Also: contiguous alarm intervals with the features that contributed most to each.
 */
import { rocAuc, averagePrecision } from '../../metrics/auc.js';
import type { ScoreConfig } from './config.js';
import { type BfResult, type GrimshawSolver, type PotResult, type Prf, type ThresholdEvaluation, bestRawF1, bfSearch, evaluateThreshold, findEpsilon, potThreshold } from './thresholds.js';

/** Threshold settings used in an evaluation. */
export type ThresholdConfig = Pick<ScoreConfig, 'level' | 'q' | 'dynamicPot' | 'regLevel'> & { potSolver?: GrimshawSolver };

/** Everything reported for one detector on one labelled test series. */
export interface DetectorEvaluation {
  rocAuc: number | null;
  /** Average precision (scikit-learn's `average_precision_score`). */
  prAuc: number | null;
  epsilon: ThresholdEvaluation;
  pot: ThresholdEvaluation & { detail: Omit<PotResult, 'thresholds'> };
  /** Best point-adjusted F1 on the reference's grid (oracle), with the raw metrics at its threshold. */
  bestF1: ThresholdEvaluation & { search: BfResult };
  /** Best raw F1 over all thresholds (oracle; alarm = score ≥ threshold). */
  bestRaw: Prf & { threshold: number };
}

/** Thresholds fitted on training scores only (for unlabelled data). */
export function fitThresholds(trainScores: ArrayLike<number>, testScores: ArrayLike<number>, cfg: ThresholdConfig): { epsilon: number; pot: PotResult } {
  return {
    epsilon: findEpsilon(trainScores, cfg.regLevel),
    pot: potThreshold(trainScores, testScores, { q: cfg.q, level: cfg.level, dynamic: cfg.dynamicPot, solver: cfg.potSolver }),
  };
}

/** Evaluate test scores against labels, with thresholds fitted on the training scores. */
export function evaluateDetector(trainScores: ArrayLike<number>, testScores: ArrayLike<number>, labels: ArrayLike<number>, cfg: ThresholdConfig): DetectorEvaluation {
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i]!;
  const both = pos > 0 && pos < labels.length;
  const { epsilon, pot } = fitThresholds(trainScores, testScores, cfg);
  const bf = bfSearch(testScores, labels, 0.01, 2, 100);
  const { thresholds: _t, ...potDetail } = pot;
  void _t;
  return {
    rocAuc: both ? rocAuc(labels, testScores) : null,
    prAuc: pos > 0 ? averagePrecision(labels, testScores) : null,
    epsilon: evaluateThreshold(testScores, labels, epsilon),
    pot: { ...evaluateThreshold(testScores, labels, pot.threshold), detail: potDetail },
    bestF1: { ...evaluateThreshold(testScores, labels, bf.threshold), search: bf },
    bestRaw: bestRawF1(testScores, labels),
  };
}

/** Flat metric names → values for tables and the registry. */
export function flatMetrics(e: DetectorEvaluation): Record<string, number | null> {
  return {
    'ROC-AUC': e.rocAuc,
    'PR-AUC': e.prAuc,
    'F1 PA epsilon': e.epsilon.adjusted.f1,
    'F1 raw epsilon': e.epsilon.raw.f1,
    'F1 PA POT': e.pot.adjusted.f1,
    'F1 raw POT': e.pot.raw.f1,
    'F1 PA best (oracle)': e.bestF1.adjusted.f1,
    'F1 raw best (oracle)': e.bestRaw.f1,
  };
}

/** A contiguous run of alarms. `start`/`end` are inclusive row indices of the scored series. */
export interface AnomalyInterval {
  start: number;
  end: number;
  length: number;
  peakScore: number;
  meanScore: number;
  /** Features by their share of the interval's summed (non-negative) per-feature scores, largest first. */
  topFeatures: Array<{ feature: string; share: number; meanScore: number }>;
}

/**
 * Contiguous alarm intervals and their top contributing features. `alarms` and `global` are per
 * scored step, `feature` is [steps, dims]; `offset` converts a step to its row in the series.
 */
export function alarmIntervals(alarms: ArrayLike<number | boolean>, global: ArrayLike<number>, feature: Float32Array, featureNames: string[], offset: number, top = 3): AnomalyInterval[] {
  const dims = featureNames.length;
  const out: AnomalyInterval[] = [];
  let i = 0;
  while (i < alarms.length) {
    if (!alarms[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < alarms.length && alarms[j + 1]) j++;
    let peak = -Infinity;
    let sum = 0;
    const per = new Float64Array(dims);
    for (let t = i; t <= j; t++) {
      peak = Math.max(peak, global[t]!);
      sum += global[t]!;
      for (let d = 0; d < dims; d++) per[d]! += feature[t * dims + d]!;
    }
    const len = j - i + 1;
    const pos = Array.from(per, (v) => Math.max(0, v));
    const total = pos.reduce((a, b) => a + b, 0);
    const ranked = Array.from({ length: dims }, (_, d) => d)
      .sort((a, b) => per[b]! - per[a]!)
      .slice(0, Math.min(top, dims))
      .map((d) => ({ feature: featureNames[d]!, share: total > 0 ? pos[d]! / total : 1 / dims, meanScore: per[d]! / len }));
    out.push({ start: i + offset, end: j + offset, length: len, peakScore: peak, meanScore: sum / len, topFeatures: ranked });
    i = j + 1;
  }
  return out;
}

/** Contiguous runs of 1 in a 0/1 array, as inclusive [start, end] (plus `offset`). */
export function runs(flags: ArrayLike<number | boolean>, offset = 0): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let i = 0;
  while (i < flags.length) {
    if (!flags[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < flags.length && flags[j + 1]) j++;
    out.push([i + offset, j + offset]);
    i = j + 1;
  }
  return out;
}
