/**
 * AdapterGNN's report content: ROC curves of the model beside the fingerprint baseline, the
 * per-epoch history (train BCE, validation and test ROC-AUC), the generalisation gap, and — for
 * `compare` — every mode's curves, tuned-parameter share against test score, and gaps.
 */
import { lineChart, type MetricsComparison, type ReportSection } from '../../report/index.js';
import type { EpochRecord } from '../../train/fit.js';
import type { EpochScores } from './train.js';

export const METRICS = ['ROC-AUC', 'BCE', 'gap (test − train BCE)'] as const;

/** One scored row. */
export interface ScoredRow {
  label: string;
  kind: 'model' | 'baseline';
  auc: number;
  bce: number;
  /** Test − train BCE (only on the test split). */
  gap?: number;
}

/** Rows of one split as a comparison table. */
export function comparison(split: string, dataset: string, rows: readonly ScoredRow[], note: string): MetricsComparison {
  return {
    split,
    dataset,
    metrics: split === 'test' ? [...METRICS] : ['ROC-AUC', 'BCE'],
    better: { 'ROC-AUC': 'higher', BCE: 'lower', 'gap (test − train BCE)': 'lower' },
    rows: rows.map((r) => ({ label: r.label, kind: r.kind, values: { 'ROC-AUC': r.auc, BCE: r.bce, ...(split === 'test' ? { 'gap (test − train BCE)': r.gap ?? null } : {}) } })),
    note,
  };
}

/** ROC curves of several scorers on one split (first task). */
export function rocSection(split: string, curves: ReadonlyArray<{ name: string; fpr: number[]; tpr: number[] }>, task: string): ReportSection {
  const thin = (c: { fpr: number[]; tpr: number[] }) => {
    const step = Math.max(1, Math.floor(c.fpr.length / 300));
    const idx = c.fpr.map((_, i) => i).filter((i) => i % step === 0 || i === c.fpr.length - 1);
    return { x: idx.map((i) => c.fpr[i]!), y: idx.map((i) => c.tpr[i]!) };
  };
  return {
    title: `ROC curves — ${split} split`,
    description: `Task ${task}. The fingerprint baseline is fitted on the train split only.`,
    charts: [
      lineChart({
        title: `ROC, ${split} split (${task})`,
        xLabel: 'false-positive rate',
        yLabel: 'true-positive rate',
        points: false,
        series: [
          ...curves.map((c) => {
            const t = thin(c);
            return { name: c.name, x: t.x, values: t.y };
          }),
          { name: 'chance', x: [0, 1], values: [0, 1] },
        ],
      }),
    ],
  };
}

/** Per-epoch curves of one or several fine-tuning runs. */
export function historySection(runs: ReadonlyArray<{ name: string; history: readonly EpochRecord<EpochScores>[]; keptEpoch: number }>): ReportSection {
  const epochs = (h: readonly EpochRecord<EpochScores>[]) => h.map((r) => r.epoch);
  const many = runs.length > 1;
  return {
    title: 'Training',
    description: `Train BCE is the mean over the epoch's batches in training mode (dropout on). Validation and test ROC-AUC after each epoch, as the official code logs them; the kept weights are those of the best validation epoch (${runs.map((r) => `${many ? r.name + ': ' : ''}epoch ${r.keptEpoch}`).join(', ')}).`,
    charts: [
      lineChart({
        title: 'train BCE (training mode)',
        xLabel: 'epoch',
        yLabel: 'BCE',
        series: runs.map((r) => ({ name: r.name, x: epochs(r.history), values: r.history.map((e) => e.train['loss'] ?? null) })),
      }),
      lineChart({
        title: 'validation ROC-AUC',
        xLabel: 'epoch',
        yLabel: 'ROC-AUC',
        series: runs.map((r) => ({ name: r.name, x: epochs(r.history), values: r.history.map((e) => e.valid?.validAuc ?? null) })),
      }),
      lineChart({
        title: 'test ROC-AUC',
        xLabel: 'epoch',
        yLabel: 'ROC-AUC',
        series: runs.map((r) => ({ name: r.name, x: epochs(r.history), values: r.history.map((e) => e.valid?.testAuc ?? null) })),
      }),
    ],
  };
}

/** One mode's summary in `compare`. */
export interface ModeSummary {
  mode: string;
  trainable: number;
  total: number;
  keptEpoch: number;
  trainAuc: number;
  validAuc: number;
  testAuc: number;
  trainBce: number;
  testBce: number;
}

/** Tuned-parameter share against test score, and the generalisation gap of each mode. */
export function modesSection(modes: readonly ModeSummary[], baseline: { auc: number; gap: number } | null): ReportSection {
  const share = (m: ModeSummary) => (100 * m.trainable) / m.total;
  return {
    title: 'Fine-tuning modes side by side',
    description:
      'Same data, split and seed for every mode. Tuned share = trained parameters / all parameters of the network (the head included). The gap is test − train BCE at the kept epoch, both in eval mode: a smaller gap is the paper’s "better generalisation".',
    tables: [
      {
        columns: ['mode', 'trained parameters', 'of', 'share %', 'kept epoch', 'train ROC-AUC', 'valid ROC-AUC', 'test ROC-AUC', 'train BCE', 'test BCE', 'gap'],
        rows: [
          ...modes.map((m) => [m.mode, m.trainable, m.total, share(m), m.keptEpoch, m.trainAuc, m.validAuc, m.testAuc, m.trainBce, m.testBce, m.testBce - m.trainBce]),
          ...(baseline ? [['Morgan FP + logistic regression', null, null, null, null, null, null, baseline.auc, null, null, baseline.gap]] : []),
        ],
      },
    ],
    charts: [
      lineChart({
        title: 'tuned-parameter share vs test ROC-AUC',
        xLabel: 'share of parameters trained (%)',
        yLabel: 'test ROC-AUC',
        points: true,
        series: modes.map((m) => ({ name: m.mode, x: [share(m)], values: [m.testAuc] })),
      }),
      lineChart({
        title: 'generalisation gap (test − train BCE) per mode',
        xLabel: 'share of parameters trained (%)',
        yLabel: 'gap',
        points: true,
        series: modes.map((m) => ({ name: m.mode, x: [share(m)], values: [m.testBce - m.trainBce] })),
      }),
    ],
  };
}
