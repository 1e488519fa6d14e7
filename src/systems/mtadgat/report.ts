/**
 * Report content for MTAD-GAT runs: metric comparisons (model beside the z-score and
 * persistence detectors; point-adjusted and raw together; the best-F1 search labelled an
 * oracle) and plots — the anomaly score with its threshold and the true and detected intervals
 * shaded, the target series with the same shading, each detected interval's per-feature
 * contribution, and the mean feature-attention matrix.
 */
import type { MetricsComparison, ReportSection, Table } from '../../report/report.js';
import { barChart, heatmap, lineChart, seriesWithIntervals, type ChartSpec, type Interval } from '../../report/charts.js';
import type { DetectorEvaluation } from './evaluate.js';
import type { AnomalyInterval } from './evaluate.js';
import { runs } from './evaluate.js';

const METRICS = ['ROC-AUC', 'PR-AUC', 'F1 raw best (oracle)'];

/** One model/baseline row of every comparison. */
export interface Contender {
  label: string;
  kind: 'model' | 'baseline';
  e: DetectorEvaluation;
}

/**
 * Metric comparisons: threshold-free (ROC-AUC, PR-AUC, best raw F1 — oracle), then one table per
 * threshold method with P/R/F1 point-adjusted and raw and the threshold itself.
 */
export function comparisons(split: string, dataset: string, cs: Contender[]): MetricsComparison[] {
  const out: MetricsComparison[] = [
    {
      split,
      dataset,
      rows: cs.map((c) => ({ label: c.label, kind: c.kind, values: { 'ROC-AUC': c.e.rocAuc, 'PR-AUC': c.e.prAuc, 'F1 raw best (oracle)': c.e.bestRaw.f1 } })),
      metrics: METRICS,
      better: { 'ROC-AUC': 'higher', 'PR-AUC': 'higher', 'F1 raw best (oracle)': 'higher' },
      note: 'threshold-free; PR-AUC = average precision; the raw best F1 picks its threshold with the test labels (oracle)',
    },
  ];
  const methods: Array<['epsilon' | 'pot' | 'bestF1', string]> = [
    ['epsilon', 'epsilon threshold (Hundman), fitted on training scores'],
    ['pot', 'POT threshold (SPOT/Grimshaw), fitted on training scores'],
    ['bestF1', 'best point-adjusted F1 over the 0.01…2 grid — ORACLE: uses the test labels'],
  ];
  for (const [m, note] of methods) {
    const names = ['threshold', 'P (PA)', 'R (PA)', 'F1 (PA)', 'P (raw)', 'R (raw)', 'F1 (raw)'];
    out.push({
      split,
      protocol: m === 'bestF1' ? 'best-F1 search, oracle' : m === 'pot' ? 'POT' : 'epsilon',
      dataset,
      rows: cs.map((c) => {
        const t = c.e[m];
        return {
          label: c.label,
          kind: c.kind,
          values: {
            threshold: t.threshold,
            'P (PA)': t.adjusted.precision,
            'R (PA)': t.adjusted.recall,
            'F1 (PA)': t.adjusted.f1,
            'P (raw)': t.raw.precision,
            'R (raw)': t.raw.recall,
            'F1 (raw)': t.raw.f1,
          },
        };
      }),
      metrics: names,
      better: { 'F1 (PA)': 'higher', 'F1 (raw)': 'higher' },
      note: `${note}; PA = point-adjusted (flatters any detector), raw = point-wise`,
    });
  }
  return out;
}

/** Inputs of {@link plotSections}. */
export interface PlotInput {
  dataset: string;
  /** Row of the series of the first scored step. */
  offset: number;
  /** Global score per scored step. */
  score: ArrayLike<number>;
  threshold: number;
  thresholdName: string;
  /** Labels per scored step (null when unlabelled). */
  labels: ArrayLike<number> | null;
  /** Alarms per scored step (score > threshold). */
  alarms: ArrayLike<number>;
  /** Scaled target series [steps, dims] (the scored rows) for the series plot. */
  targets: Float32Array;
  targetNames: string[];
  intervals: AnomalyInterval[];
  /** Mean feature attention (k × k) and the names of all k features, or null. */
  attention: number[][] | null;
  featureNames: string[];
}

/** Downsample long series for plotting: keep every m-th point but always keep the maxima of each bucket. */
function thin(n: number, maxPoints = 3000): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const step = Math.ceil(n / maxPoints);
  return Array.from({ length: Math.ceil(n / step) }, (_, i) => i * step);
}

export function plotSections(p: PlotInput): ReportSection[] {
  const steps = p.score.length;
  const keep = thin(steps);
  const x = keep.map((i) => i + p.offset);
  const intervals: Interval[] = [];
  if (p.labels) for (const [s, e] of runs(p.labels, p.offset)) intervals.push({ start: s, end: e, kind: 'labelled anomaly' });
  for (const [s, e] of runs(p.alarms, p.offset)) intervals.push({ start: s, end: e, kind: `detected (${p.thresholdName})` });
  const charts: ChartSpec[] = [
    seriesWithIntervals({
      title: `Anomaly score on ${p.dataset} with the ${p.thresholdName} threshold`,
      x,
      series: [
        { name: 'anomaly score', values: keep.map((i) => p.score[i]!) },
        { name: `threshold (${p.thresholdName})`, values: keep.map(() => p.threshold) },
      ],
      intervals,
      xLabel: 'row',
      yLabel: 'score',
      points: false,
    }),
  ];
  const show = Math.min(4, p.targetNames.length);
  const dims = p.targetNames.length;
  charts.push(
    seriesWithIntervals({
      title: `Scaled series (${show} of ${dims} target features)`,
      x,
      series: p.targetNames.slice(0, show).map((name, j) => ({ name, values: keep.map((i) => p.targets[i * dims + j]!) })),
      intervals,
      xLabel: 'row',
      yLabel: 'min–max scaled value',
      points: false,
    }),
  );
  const sections: ReportSection[] = [
    {
      title: 'Scores, threshold and intervals',
      description: `Shaded: labelled anomalies and the intervals where the score exceeds the ${p.thresholdName} threshold (${p.threshold.toPrecision(6)}).`,
      charts,
    },
  ];
  if (p.intervals.length > 0) {
    const largest = [...p.intervals].sort((a, b) => b.length * b.meanScore - a.length * a.meanScore).slice(0, 6);
    const contrib: ChartSpec[] = largest.map((iv) => {
      const shares = new Map(iv.topFeatures.map((f) => [f.feature, f.share]));
      return barChart({
        title: `Rows ${iv.start}–${iv.end}: share of the score per feature`,
        categories: p.targetNames,
        values: p.targetNames.map((n) => shares.get(n) ?? null),
        yLabel: 'share',
        height: 160,
      });
    });
    const table: Table = {
      caption: 'Detected intervals (top contributing features)',
      columns: ['start row', 'end row', 'length', 'peak score', 'top features (share)'],
      rows: p.intervals.slice(0, 50).map((iv) => [iv.start, iv.end, iv.length, iv.peakScore, iv.topFeatures.map((f) => `${f.feature} (${(100 * f.share).toFixed(0)} %)`).join(', ')]),
    };
    sections.push({
      title: 'Per-feature contribution of detected intervals',
      description: `Largest ${largest.length} of ${p.intervals.length} intervals; the bars show the top features' share of the summed per-feature scores over the interval.`,
      charts: contrib,
      tables: [table],
    });
  }
  if (p.attention) {
    sections.push({
      title: 'Feature attention',
      description: 'Mean attention weight of the feature-oriented graph attention over the scored windows (row i attends over columns j; rows sum to 1).',
      charts: [heatmap(p.attention, { title: 'Feature attention (mean over windows)', rowLabels: p.featureNames, colLabels: p.featureNames, valueLabel: 'weight' })],
    });
  }
  return sections;
}

/** Training-curve-like chart of the epoch losses (train and validation). */
export function lossChart(history: Array<{ epoch: number; trainTotal: number; valTotal: number | null }>): ChartSpec {
  return lineChart({
    title: 'Total loss (√MSE forecast + √MSE reconstruction)',
    x: history.map((h) => h.epoch),
    series: [
      { name: 'train', values: history.map((h) => h.trainTotal) },
      { name: 'validation', values: history.map((h) => h.valTotal) },
    ],
    xLabel: 'epoch',
    yLabel: 'loss',
  });
}
