/**
 * A sample report input exercising every part of a report (used by report.test.ts). Run it as a
 * script to write the sample for a visual check:
 *   node --import tsx test/report/sample-report.ts /tmp/sample-report.html
 */
import { pathToFileURL } from 'node:url';
import { Rng } from '../../src/util/random.js';
import { barChart, heatmap, seriesWithIntervals } from '../../src/report/charts.js';
import { type CurvePoint, type ReportInput, writeReport } from '../../src/report/report.js';
import { nodeStorage } from '../../src/node/storage.js';

/** Build a deterministic sample report input, with strings that need escaping. */
export function sampleReportInput(): ReportInput {
  const rng = new Rng(3);
  const curves: CurvePoint[] = [];
  for (let epoch = 1; epoch <= 30; epoch++) {
    const base = 1.2 * Math.exp(-epoch / 8) + 0.1;
    curves.push({ epoch, split: 'train', name: 'loss', value: base + 0.02 * rng.normal() });
    if (epoch % 2 === 0) curves.push({ epoch, split: 'val', name: 'loss', value: base + 0.08 + 0.03 * rng.normal() });
    curves.push({ epoch, split: 'val', name: 'mae', value: 0.8 * base + 0.05 });
  }

  const n = 400;
  const x = Array.from({ length: n }, (_, i) => i);
  const signal = x.map((i) => Math.sin(i / 12) + 0.15 * rng.normal() + (i >= 120 && i <= 134 ? 2.2 : 0) + (i === 300 ? -2.5 : 0));

  const nodes = ['Clark/Lake', 'Belmont', 'Fullerton', "O'Hare", 'Howard', 'Midway', '95th', 'Cermak'];
  const adj = nodes.map((_, i) => nodes.map((__, j) => (i === j ? 1 : Math.exp(-Math.abs(i - j) / 2) * (0.6 + 0.4 * rng.uniform()))));

  return {
    title: 'StemGNN on chicago <script>alert(1)</script>',
    subtitle: 'train · seed 7 · "quoted" & <angled>',
    run: {
      id: '20261126-041500-ab12',
      system: 'stemgnn',
      verb: 'train',
      dataset: 'data/chicago.csv',
      datasetHash: 'ab'.repeat(32),
      seed: 7,
      backend: 'wasm',
      startedAt: '2026-11-26T04:15:00.000Z',
      endedAt: '2026-11-26T04:18:05.000Z',
      status: 'completed',
    },
    config: {
      model: { window: 12, horizon: 3, multiLayer: 5, stackCount: 2 },
      optimizer: { name: 'rmsprop', lr: 0.0001, decay: 0.5 },
      epochs: 30,
      note: 'value with "quotes" & <tags>',
      splits: [0.7, 0.2, 0.1],
    },
    metrics: [
      {
        split: 'test',
        dataset: 'chicago',
        better: { MAE: 'lower', RMSE: 'lower', 'MAPE %': 'lower' },
        rows: [
          { label: 'StemGNN', kind: 'model', values: { MAE: 0.4321, RMSE: 0.6789, 'MAPE %': 12.35 } },
          { label: 'seasonal-naive(7)', values: { MAE: 0.361, RMSE: 0.5523, 'MAPE %': 10.01 } },
          { label: 'last value', values: { MAE: 0.9876, RMSE: 1.234, 'MAPE %': null } },
        ],
        note: 'Lower is better; the best value in each column is bold.',
      },
    ],
    curves,
    sections: [
      {
        title: 'Anomaly scores',
        description: 'Test series (station 0) with labelled anomaly intervals shaded; below it the anomaly score.',
        charts: [
          seriesWithIntervals({
            title: 'Station 0 — labelled anomalies',
            x,
            series: [{ name: 'signal', values: signal }],
            intervals: [
              { start: 120, end: 134, kind: 'labelled anomaly' },
              { start: 300, end: 300, kind: 'labelled anomaly' },
              { start: 118, end: 131, kind: 'detected' },
            ],
            xLabel: 'time step',
            yLabel: 'value',
            width: 720,
            height: 200,
          }),
        ],
        tables: [
          {
            caption: 'Detection at the POT threshold',
            columns: ['method', 'F1', 'precision', 'recall'],
            rows: [
              ['POT', 0.8123, 0.9, 0.74],
              ['epsilon', 0.7, 0.65, null],
            ],
          },
        ],
      },
      {
        title: 'Learned graph',
        charts: [
          heatmap(adj, { title: 'Mean attention (latent correlation) matrix', rowLabels: nodes, colLabels: nodes, valueLabel: 'weight' }),
          barChart({
            title: 'Per-station MAE',
            categories: nodes,
            series: [
              { name: 'StemGNN', values: nodes.map(() => 0.3 + 0.2 * rng.uniform()) },
              { name: 'seasonal-naive(7)', values: nodes.map(() => 0.3 + 0.2 * rng.uniform()) },
            ],
            yLabel: 'MAE',
          }),
        ],
        html: '<p>Nodes are CTA "L" stations.</p>',
      },
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = process.argv[2] ?? '/tmp/sample-report.html';
  await writeReport(nodeStorage, out, sampleReportInput());
  process.stdout.write(`wrote ${out}\n`);
}
