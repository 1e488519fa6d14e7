/**
 * StemGNN as a Sheaf system: its options, data, training, evaluation beside the naive baselines,
 * checkpoints, forecasting verb and demo setting. The CLI's `sheaf stemgnn train|eval|predict`
 * and the library facade (index.ts) are built from this.
 */
import { z } from 'zod';
import { formatCsv } from '../../data/index.js';
import { readSeriesTable, type SeriesTable } from '../../data/table.js';
import { joinPath } from '../../io/path.js';
import { UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { defineSystem, defineVerb, trainCallOptions, type Evaluation, type RunEnv } from '../../system/types.js';
import { saveModel } from '../../system/run.js';
import type { ReportSection } from '../../report/report.js';
import { CHICAGO, configSchema, dataSchema, evalSchema, type StemGNNEvalOptions } from './config.js';
import { prepareSeries, type PreparedSeries } from './data.js';
import { trainStemGNN, type FittedStemGNN } from './train.js';
import { evaluateSplit, type SplitEvaluation } from './evaluate.js';
import { importOfficialStemGNN, legacyStemGNN, loadStemGNN, saveStemGNN } from './checkpoint.js';
import { forecastCsv, forecastTable } from './predict.js';
import { forecastSection, graphSection, historySection, metricsComparison } from './report.js';

/** The name tables and reports show for a data file. */
export function datasetName(source: string): string {
  return source === CHICAGO ? 'Chicago L ridership' : source;
}

function checkSeason(season: number, window: number): void {
  if (season > window) throw new UsageError(`--season ${season} must be ≤ the window ${window} (the baseline reads the previous season from the window)`);
}

/** One-step-ahead forecasts and targets of a split as two CSVs (the official predict.csv / target.csv). */
async function writeSplitCsvs(env: RunEnv, ev: SplitEvaluation, names: string[], H: number): Promise<void> {
  const N = names.length;
  const pick = (a: Float32Array): Float32Array => {
    const out = new Float32Array(ev.windows * N);
    for (let b = 0; b < ev.windows; b++) out.set(a.subarray(b * H * N, b * H * N + N), b * N);
    return out;
  };
  await env.artifact(`${ev.split}_predict.csv`, formatCsv(names, pick(ev.forecast), N), `${ev.split} forecasts (1 step ahead)`);
  await env.artifact(`${ev.split}_target.csv`, formatCsv(names, pick(ev.target), N), `${ev.split} targets`);
}

/** Prepared windows of a table for a trained model (its own split and scaler). */
function prepareFor(m: FittedStemGNN, table: SeriesTable, splits: Array<'train' | 'valid' | 'test'>): PreparedSeries {
  if (m.prepared && m.prepared.table === table) return m.prepared;
  const c = m.config;
  return prepareSeries(table, { window: c.window, horizon: c.horizon, splitRatios: c.splitRatios, norm: m.scaler.kind, scaler: m.scaler, required: splits });
}

async function evaluate(m: FittedStemGNN, table: SeriesTable, ev: StemGNNEvalOptions, env: RunEnv): Promise<Evaluation> {
  const { window, horizon } = m.config;
  checkSeason(ev.season, window);
  const splits: Array<'train' | 'valid' | 'test'> = ev.split === 'held-out' ? ['test', 'valid'] : [ev.split];
  const prepared = prepareFor(m, table, splits);
  const names = table.header ?? m.series;
  const dataset = datasetName(table.source);
  const results = [];
  const sections: ReportSection[] = [];
  const windows: Record<string, number> = {};
  for (const split of splits) {
    const e = await evaluateSplit(m.net, prepared, split, { batchSize: m.config.batchSize, seasonPeriod: ev.season });
    results.push(metricsComparison(e, dataset, ev.season));
    windows[split] = e.windows;
    await writeSplitCsvs(env, e, names, horizon);
    if (split === splits[0]) sections.push(forecastSection(e, names, horizon, prepared.split[split][0] + window), graphSection(e, names));
  }
  if (m.history.length) sections.push(historySection(m.history, m.keptEpoch));
  const parameters = m.net.numParameters();
  return {
    results,
    sections,
    notes: [`${parameters} parameters; kept epoch ${m.keptEpoch} (lowest validation MAE)${m.origin['interrupted'] ? '; interrupted early' : ''}`],
    extras: { parameters, keptEpoch: m.keptEpoch, windows },
  };
}

const predictOptions = z.object({
  data: z.string().describe('CSV whose last W rows are the input window (the training columns)'),
  header: dataSchema.shape.header,
  out: z.string().optional().describe('forecast CSV to write (default: forecast.csv in the run folder)'),
});

const importOptions = z.object({
  weights: z.string().describe("the official model's state dict saved as safetensors (scripts/stemgnn/pt_to_safetensors.py)"),
  normStat: z.string().describe('the official norm_stat.json saved beside it'),
  series: z.string().optional().describe('comma-separated series names (default series_1 … series_N)'),
});

/** StemGNN. */
export const stemgnnSystem = defineSystem({
  name: 'stemgnn',
  title: 'StemGNN',
  summary: 'forecast many related time series at once, learning their correlation graph',
  reference: { paper: 'Cao et al., Spectral Temporal Graph Neural Network for Multivariate Time-series Forecasting, NeurIPS 2020', code: 'microsoft/StemGNN' },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  async loadData(o, env) {
    const t = await readSeriesTable(env.storage, o.data, { header: o.header });
    // An all-numeric first line (station ids such as PEMS's 101,102,103) cannot be told from data: say which reading was taken.
    if (o.header === 'auto' && t.header === null)
      env.log(`${t.source}: no header row detected, so line ${t.firstLine} is read as data (use --header yes if it names the series, e.g. numeric station ids)`);
    // Missing cells are allowed (the official loader fills them), but never silently.
    let missing = 0;
    let first = -1;
    for (let i = 0; i < t.data.length; i++) {
      if (Number.isNaN(t.data[i]!)) {
        if (first < 0) first = i;
        missing++;
      }
    }
    if (missing) {
      const col = first % t.cols;
      env.log(
        `${t.source}: ${missing} empty or NaN cell${missing === 1 ? '' : 's'} (first: data row ${Math.floor(first / t.cols) + 1}, column ${t.header?.[col] ?? col + 1}) filled forward, then backward, within each split`,
      );
    }
    return t;
  },
  describeData: (t: SeriesTable) => ({ name: datasetName(t.source) }),
  async train(table, cfg, ev, env) {
    checkSeason(ev.season, cfg.window);
    const prepared = prepareSeries(table, { window: cfg.window, horizon: cfg.horizon, splitRatios: cfg.splitRatios, norm: cfg.norm });
    return trainStemGNN(prepared, cfg, trainCallOptions(env));
  },
  evaluate,
  configOf: (m: FittedStemGNN) => m.config,
  save: saveStemGNN,
  load: (ck) => loadStemGNN(ck),
  legacy: legacyStemGNN,
  dispose: (m) => m.net.dispose(),
  predict: {
    verb: 'predict',
    summary: 'forecast the H steps after the last row of a CSV (reads its last W rows) into a CSV',
    options: predictOptions,
    async run(m: FittedStemGNN, o: z.output<typeof predictOptions>, env) {
      const table = await readSeriesTable(env.storage, o.data, { header: o.header });
      const f = await forecastTable(m, table);
      const text = forecastCsv(f);
      let out: string | null;
      if (o.out) {
        await env.storage.write(o.out, text);
        out = o.out;
      } else out = await env.artifact('forecast.csv', text, 'forecast');
      if (!out) throw new UsageError('stemgnn predict needs --out when no run folder is created');
      return {
        dataset: { name: o.data },
        artifacts: o.out ? [{ kind: 'forecast', path: o.out }] : [],
        notes: [`forecast of ${f.horizon} steps × ${f.series.length} series from lines ${f.lines[0]}–${f.lines[1]} written to ${out}`],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'import',
      summary: 'make a checkpoint of weights trained by the official code (its state dict as safetensors + norm_stat.json)',
      options: importOptions,
      createsRun: true,
      async run(o, ctx) {
        const m = await importOfficialStemGNN(
          ctx.storage,
          o.weights,
          o.normStat,
          o.series?.split(',').map((s) => s.trim()),
        );
        try {
          if (!ctx.runDir) throw new UsageError('stemgnn import needs a run folder');
          const dir = await saveModel(ctx.storage, joinPath(ctx.runDir, 'checkpoint'), stemgnnSystem, m, {});
          const c = m.net.config;
          return {
            dataset: { name: o.weights },
            artifacts: [{ kind: 'checkpoint', path: dir }],
            notes: [
              `official weights (N ${c.nodes}, window ${c.window}, horizon ${c.horizon}, m ${c.multiLayer}) saved as ${dir}; score them with: sheaf stemgnn eval --checkpoint ${dir} --data <csv>`,
            ],
          };
        } finally {
          m.net.dispose();
        }
      },
    }),
  ],
  demo: (quick) => ({
    data: {},
    // The smallest faithful setting (docs/research/timeseries.md §1.6): m = 2, lr 1e-3, 5 epochs; quick: 1 epoch.
    config: { multiLayer: 2, lr: 1e-3, epochs: quick ? 1 : 5 },
    note: quick ? 'quick demo: m 2, lr 1e-3, 1 epoch (not the acceptance setting)' : 'demo: m 2, lr 1e-3, 5 epochs (the acceptance setting)',
  }),
  async conformance(storage) {
    // Synthetic: 3 noisy sines with weekly seasonality, 150 days.
    const rng = new Rng(11);
    const rows = ['a,b,c'];
    for (let t = 0; t < 150; t++) rows.push([0, 1, 2].map((j) => (5 + Math.sin((2 * Math.PI * t) / 7 + j) + 0.1 * rng.normal()).toFixed(4)).join(','));
    await storage.write('conformance/stemgnn.csv', rows.join('\n') + '\n');
    return { data: { data: 'conformance/stemgnn.csv' }, config: { window: 8, horizon: 2, multiLayer: 1, epochs: 3, batchSize: 16, lr: 1e-3 }, eval: {}, note: 'synthetic sines', resumable: true };
  },
});
