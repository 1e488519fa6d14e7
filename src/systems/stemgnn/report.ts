/**
 * StemGNN's report content: metrics beside the baselines, forecast-vs-actual plots for a few
 * series, the learned graph as a heat map, and the per-epoch history (curves are also logged to
 * the run through `logEpoch`).
 */
import { heatmap, lineChart, type MetricsComparison, type ReportSection } from '../../report/index.js';
import type { ForecastScores } from '../../metrics/index.js';
import type { SplitEvaluation } from './evaluate.js';
import type { EpochRecord } from '../../train/fit.js';
import type { ValidScores } from './train.js';

const METRICS = ['MAE', 'RMSE', 'MAPE %', 'masked MAPE %'] as const;

function row(s: ForecastScores | undefined): Record<string, number | null> {
  return s ? { MAE: s.mae, RMSE: s.rmse, 'MAPE %': 100 * s.mape, 'masked MAPE %': 100 * s.maskedMape } : { MAE: null, RMSE: null, 'MAPE %': null, 'masked MAPE %': null };
}

/** Model and baseline scores of one split as a report/CLI comparison table. */
export function metricsComparison(ev: SplitEvaluation, dataset: string, seasonPeriod: number): MetricsComparison {
  return {
    split: ev.split,
    dataset,
    metrics: [...METRICS],
    better: { MAE: 'lower', RMSE: 'lower', 'MAPE %': 'lower', 'masked MAPE %': 'lower' },
    rows: [
      { label: 'StemGNN', kind: 'model', values: row(ev.model) },
      { label: 'last value', values: row(ev.baselines['last value']) },
      { label: `seasonal naive (period ${seasonPeriod})`, values: row(ev.baselines['seasonal naive']) },
      { label: 'window mean', values: row(ev.baselines['window mean']) },
    ],
    note: `${ev.windows} windows, raw scale, all horizon steps. MAPE is the official rule (|e|/|y| + 1e-5, capped at 500 %); ` + 'masked MAPE skips targets that are exactly 0.',
  };
}

/**
 * Forecast vs actual, one step ahead, for up to `count` series (those with the largest mean
 * level), over the last `maxPoints` evaluated windows (so daily detail stays visible).
 * `firstRow` is the file's data row of the first window's target.
 */
export function forecastSection(ev: SplitEvaluation, series: string[], horizon: number, firstRow: number, count = 4, maxPoints = 120): ReportSection {
  const N = series.length;
  const n = ev.windows;
  const from = Math.max(0, n - maxPoints);
  const mean = new Float64Array(N);
  for (let b = 0; b < n; b++) for (let c = 0; c < N; c++) mean[c]! += ev.target[b * horizon * N + c]!;
  const chosen = Array.from({ length: N }, (_, i) => i)
    .sort((a, b) => mean[b]! - mean[a]!)
    .slice(0, Math.min(count, N));
  const x = Array.from({ length: n - from }, (_, i) => firstRow + from + i);
  const charts = chosen.map((c) => {
    const pick = (arr: Float32Array) => Array.from({ length: n - from }, (_, i) => arr[(from + i) * horizon * N + c]!);
    return lineChart({
      title: `${series[c]} — ${ev.split} split, 1 step ahead`,
      x,
      xLabel: 'data row of the target',
      yLabel: 'value',
      series: [
        { name: 'actual', values: pick(ev.target) },
        { name: 'StemGNN', values: pick(ev.forecast) },
      ],
      points: false,
      height: 180,
    });
  });
  return {
    title: `Forecast vs actual (${ev.split} split)`,
    description: `One-step-ahead forecasts of the ${chosen.length} series with the largest mean level, on the raw scale, ` + `over the last ${n - from} of the split's ${n} windows.`,
    charts,
  };
}

/** The learned graph (mean over the split's batches of the symmetrised batch attention) as a heat map. */
export function graphSection(ev: SplitEvaluation, series: string[]): ReportSection {
  const N = series.length;
  const m = Array.from({ length: N }, (_, i) => Array.from(ev.graph.subarray(i * N, (i + 1) * N)));
  const labels = uniqueLabels(series);
  return {
    title: 'Learned graph',
    description: `Mean over the ${ev.split} batches of (A + Aᵀ)/2, where A is the batch-mean attention of the latent correlation layer ` + '(eval mode; each row of A sums to 1).',
    charts: [heatmap(m, { title: 'Learned correlation graph', rowLabels: labels, colLabels: labels, valueLabel: 'weight', showValues: N <= 12 })],
  };
}

/** Per-epoch training history as a table. */
export function historySection(history: readonly EpochRecord<ValidScores>[], bestEpoch: number): ReportSection {
  return {
    title: 'Training history',
    description: `Train loss is MSE on the normalised scale; validation scores are on the raw scale. The kept model is epoch ${bestEpoch}.`,
    charts: [
      lineChart({
        title: 'Training and validation loss (normalised MSE)',
        x: history.map((h) => h.epoch),
        xLabel: 'epoch',
        yLabel: 'MSE',
        series: [
          { name: 'train', values: history.map((h) => h.train['loss'] ?? null) },
          { name: 'valid', values: history.map((h) => h.valid?.loss ?? null) },
        ],
      }),
    ],
    tables: [
      {
        columns: ['epoch', 'lr', 'train MSE', 'valid MAE', 'valid RMSE', 'valid MAPE %', 'seconds', 'kept'],
        rows: history.map((h) => [
          h.epoch,
          h.lr,
          h.train['loss'] ?? null,
          h.valid?.mae ?? null,
          h.valid?.rmse ?? null,
          h.valid ? 100 * h.valid.mape : null,
          h.seconds,
          h.epoch === bestEpoch ? 'yes' : '',
        ]),
      },
    ],
  };
}

function uniqueLabels(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k === 0 ? n : `${n} (${k + 1})`;
  });
}
