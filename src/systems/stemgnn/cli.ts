/**
 * `sheaf stemgnn train|eval|predict` and StemGNN's part of `sheaf demo`. The verbs are thin
 * wrappers on the programmatic API (index.ts); defaults are the official code's.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { SystemDefinition, SystemVerb, VerbContext, VerbResult } from '../../node/cli/system.js';
import { writeCsv } from '../../data/index.js';
import { writeJsonAtomic } from '../../node/fs.js';
import { UsageError } from '../../util/errors.js';
import { MODEL_DEFAULTS, TRAIN_DEFAULTS, type StemGNNModelConfig, type StemGNNTrainConfig } from './config.js';
import { CHICAGO_CSV, parseSplitRatios, prepareSeries, readSeries, seriesNames, type HeaderMode } from './data.js';
import { trainStemGNN } from './train.js';
import { evaluateSplit, type SplitEvaluation } from './evaluate.js';
import { loadStemGNN, saveStemGNNCheckpoint } from './checkpoint.js';
import { predictCsv, writeForecastCsv } from './predict.js';
import { forecastSection, graphSection, historySection, metricsComparison } from './report.js';

const header = z.enum(['auto', 'yes', 'no']).default('auto').describe('first row holds series names: auto-detect, yes, no');
const data = z.string().default(CHICAGO_CSV).describe('T × N CSV, one row per time step, one column per series (default: shipped Chicago ridership)');
const season = z.coerce.number().int().min(1).default(7).describe('period of the seasonal-naive baseline (≤ window)');
const split = z.string().default('7:2:1').describe('chronological train:valid:test ratio');
const batchSize = z.coerce.number().int().min(1).default(TRAIN_DEFAULTS.batchSize).describe('batch size (the learned graph is a batch mean)');
const normStat = z.string().optional().describe('official norm_stat.json, when --checkpoint is a .safetensors file of official weights');

const trainOptions = z.object({
  data,
  header,
  window: z.coerce.number().int().min(1).default(MODEL_DEFAULTS.window).describe('input window length T (window_size)'),
  horizon: z.coerce.number().int().min(1).default(MODEL_DEFAULTS.horizon).describe('forecast horizon H'),
  multiLayer: z.coerce.number().int().min(1).default(MODEL_DEFAULTS.multiLayer).describe('GLU width multiplier m (multi_layer)'),
  epochs: z.coerce.number().int().min(1).default(TRAIN_DEFAULTS.epochs).describe('training epochs'),
  lr: z.coerce.number().positive().default(TRAIN_DEFAULTS.lr).describe('learning rate'),
  optimizer: z.enum(['rmsprop', 'adam']).default(TRAIN_DEFAULTS.optimizer).describe('optimiser'),
  decayRate: z.coerce.number().positive().default(TRAIN_DEFAULTS.decayRate).describe('lr multiplier applied every --decay-every epochs'),
  decayEvery: z.coerce.number().int().min(1).default(TRAIN_DEFAULTS.decayEvery).describe('epochs between lr decays (exponential_decay_step)'),
  batchSize,
  split,
  norm: z.enum(['z-score', 'min-max']).default(TRAIN_DEFAULTS.norm).describe('normalisation fitted on the train split'),
  validateEvery: z.coerce.number().int().min(1).default(TRAIN_DEFAULTS.validateEvery).describe('validate every n epochs (validate_freq)'),
  season,
  attentionDropout: z.coerce.number().min(0).max(0.99).default(MODEL_DEFAULTS.dropoutRate).describe('dropout on the attention matrix (official: fixed 0.5)'),
  leakyRate: z.coerce.number().min(0).default(MODEL_DEFAULTS.leakyRate).describe('LeakyReLU slope of attention scores (official: fixed 0.2)'),
  speSeqConv: z.coerce.number().int().min(0).default(0).describe("paper variant: kernel size of a 1-D conv over frequencies in the Spe-Seq cell (0 = off, the official code)"),
  residualBackcast: z.boolean().default(false).describe('paper variant: next block gets X − backcast instead of the official sigmoid backcast'),
});

const evalOptions = z.object({
  checkpoint: z.string().describe('run folder, checkpoint folder, or .safetensors of official weights (with --norm-stat)'),
  data,
  header,
  split: z.enum(['test', 'valid', 'train']).default('test').describe('which split to score'),
  splitRatios: split,
  batchSize,
  season,
  normStat,
});

const predictOptions = z.object({
  checkpoint: z.string().describe('run folder, checkpoint folder, or .safetensors of official weights (with --norm-stat)'),
  data: z.string().describe('CSV whose last W rows are the input window'),
  header,
  out: z.string().optional().describe('forecast CSV to write (default: forecast.csv in the run folder)'),
  normStat,
});

type TrainOpts = z.infer<typeof trainOptions>;

function modelConfig(o: TrainOpts): Partial<StemGNNModelConfig> {
  return {
    window: o.window,
    horizon: o.horizon,
    multiLayer: o.multiLayer,
    dropoutRate: o.attentionDropout,
    leakyRate: o.leakyRate,
    speSeqConvKernel: o.speSeqConv,
    residualBackcast: o.residualBackcast,
  };
}

function trainConfig(o: TrainOpts): Partial<StemGNNTrainConfig> {
  return {
    epochs: o.epochs,
    lr: o.lr,
    optimizer: o.optimizer,
    decayRate: o.decayRate,
    decayEvery: o.decayEvery,
    batchSize: o.batchSize,
    splitRatios: parseSplitRatios(o.split),
    norm: o.norm,
    validateEvery: o.validateEvery,
  };
}

function datasetName(path: string): string {
  return path === CHICAGO_CSV ? 'Chicago L ridership' : path;
}

/** One-step-ahead forecasts and targets of a split as two CSVs (the official predict.csv / target.csv). */
function writeSplitCsvs(dir: string, ev: SplitEvaluation, names: string[], H: number): Array<{ kind: string; path: string }> {
  const N = names.length;
  const pick = (a: Float32Array) => {
    const out = new Float32Array(ev.windows * N);
    for (let b = 0; b < ev.windows; b++) out.set(a.subarray(b * H * N, b * H * N + N), b * N);
    return out;
  };
  const p = join(dir, `${ev.split}_predict.csv`);
  const t = join(dir, `${ev.split}_target.csv`);
  writeCsv(p, names, pick(ev.forecast), N);
  writeCsv(t, names, pick(ev.target), N);
  return [
    { kind: `${ev.split} forecasts (1 step ahead)`, path: p },
    { kind: `${ev.split} targets`, path: t },
  ];
}

/** Train, save a checkpoint, and report (shared by the `train` verb and the demo). */
export async function runTrain(o: TrainOpts, ctx: VerbContext): Promise<VerbResult> {
  if (!ctx.runDir) throw new UsageError('stemgnn train needs a run folder');
  if (o.season > o.window) throw new UsageError(`--season ${o.season} must be ≤ --window ${o.window} (the baseline reads the previous season from the window)`);
  const train = trainConfig(o);
  const table = readSeries(o.data, o.header as HeaderMode);
  const prepared = prepareSeries(table, { window: o.window, horizon: o.horizon, splitRatios: train.splitRatios!, norm: o.norm });
  const names = seriesNames(table);
  const dataset = datasetName(o.data);
  const res = await trainStemGNN(prepared, {
    model: modelConfig(o),
    train,
    seed: ctx.seed,
    seasonPeriod: o.season,
    signal: ctx.signal,
    log: ctx.log,
    progressDir: join(ctx.runDir, 'progress'),
    resume: ctx.resume ?? false,
    onEpoch: (rec) => {
      ctx.logEpoch(rec.epoch, 'train', { loss: rec.trainLoss, lr: rec.lr });
      if (rec.valid) {
        const v = rec.valid.model;
        ctx.logEpoch(rec.epoch, 'valid', { loss: rec.valid.normalisedMse, mae: v.mae, rmse: v.rmse, mape: v.mape });
      }
    },
  });
  try {
    const ckDir = join(ctx.runDir, 'checkpoint');
    const ck = saveStemGNNCheckpoint(ckDir, res.model, {
      scaler: prepared.scaler,
      series: names,
      train: res.train,
      origin: { data: o.data, seed: ctx.seed, bestEpoch: res.bestEpoch, rows: table.rows },
    });
    const artifacts = [
      { kind: 'checkpoint weights', path: ck.weights },
      { kind: 'checkpoint config', path: ck.config },
      ...writeSplitCsvs(ctx.runDir, res.test, names, o.horizon),
    ];
    const summary = join(ctx.runDir, 'metrics.json');
    writeJsonAtomic(summary, {
      dataset,
      seed: ctx.seed,
      bestEpoch: res.bestEpoch,
      parameters: res.model.numParameters(),
      valid: { windows: res.valid.windows, model: res.valid.model, baselines: res.valid.baselines },
      test: { windows: res.test.windows, model: res.test.model, baselines: res.test.baselines },
      epochs: res.history.map((h) => ({ epoch: h.epoch, lr: h.lr, trainLoss: h.trainLoss, valid: h.valid?.model, seconds: h.seconds })),
    });
    artifacts.push({ kind: 'metrics', path: summary });
    const firstTestRow = prepared.split.test[0] + o.window;
    return {
      dataset: { name: dataset },
      metrics: [metricsComparison(res.test, dataset, o.season), metricsComparison(res.valid, dataset, o.season)],
      artifacts,
      sections: [forecastSection(res.test, names, o.horizon, firstTestRow), graphSection(res.test, names), historySection(res.history, res.bestEpoch)],
      config: { ...o, model: res.model.config, train: res.train, parameters: res.model.numParameters() },
      notes: [
        `${res.model.numParameters()} parameters; kept epoch ${res.bestEpoch} (lowest validation MAE)${res.interrupted ? '; interrupted early' : ''}`,
        `checkpoint: ${ckDir}`,
      ],
    };
  } finally {
    res.model.dispose();
  }
}

const trainVerb: SystemVerb<typeof trainOptions> = {
  name: 'train',
  summary: 'train on a T × N CSV (official protocol), report test scores beside baselines, save a checkpoint',
  options: trainOptions,
  createsRun: true,
  run: (o, ctx) => runTrain(o, ctx),
};

const evalVerb: SystemVerb<typeof evalOptions> = {
  name: 'eval',
  summary: 'score a checkpoint (or official weights) on one split of a CSV beside the baselines',
  options: evalOptions,
  createsRun: true,
  async run(o, ctx) {
    const table = readSeries(o.data, o.header as HeaderMode);
    const loaded = loadStemGNN(o.checkpoint, { normStat: o.normStat, series: table.header ?? undefined });
    try {
      const { window, horizon } = loaded.model.config;
      if (o.season > window) throw new UsageError(`--season ${o.season} must be ≤ the model's window ${window}`);
      const prepared = prepareSeries(table, {
        window,
        horizon,
        splitRatios: parseSplitRatios(o.splitRatios),
        norm: loaded.scaler.kind,
        scaler: loaded.scaler,
        required: [o.split],
      });
      const ev = await evaluateSplit(loaded.model, prepared, o.split, { batchSize: o.batchSize, seasonPeriod: o.season, signal: ctx.signal });
      const names = table.header ?? loaded.series;
      const dataset = datasetName(o.data);
      const artifacts = ctx.runDir ? writeSplitCsvs(ctx.runDir, ev, names, horizon) : [];
      return {
        dataset: { name: dataset },
        metrics: [metricsComparison(ev, dataset, o.season)],
        artifacts,
        sections: [forecastSection(ev, names, horizon, prepared.split[o.split][0] + window), graphSection(ev, names)],
        config: { ...o, model: loaded.model.config },
      };
    } finally {
      loaded.model.dispose();
    }
  },
};

const predictVerb: SystemVerb<typeof predictOptions> = {
  name: 'predict',
  summary: 'forecast the H steps after the last row of a CSV (reads its last W rows) into a CSV',
  options: predictOptions,
  createsRun: true,
  async run(o, ctx) {
    const loaded = loadStemGNN(o.checkpoint, { normStat: o.normStat });
    try {
      const f = await predictCsv(loaded, o.data, o.header as HeaderMode);
      const out = o.out ?? (ctx.runDir ? join(ctx.runDir, 'forecast.csv') : null);
      if (!out) throw new UsageError('stemgnn predict needs --out when no run folder is created');
      writeForecastCsv(out, f);
      return {
        dataset: { name: o.data },
        artifacts: [{ kind: 'forecast', path: out }],
        config: { ...o, model: loaded.model.config },
        notes: [`forecast of ${f.horizon} steps × ${f.series.length} series from lines ${f.lines[0]}–${f.lines[1]} written to ${out}`],
      };
    } finally {
      loaded.model.dispose();
    }
  },
};

export const stemgnnSystem: SystemDefinition = {
  name: 'stemgnn',
  title: 'StemGNN',
  summary: 'forecast many related time series at once, learning their correlation graph',
  verbs: [trainVerb, evalVerb, predictVerb] as unknown as SystemVerb[],
  demo(ctx) {
    // The smallest faithful setting (timeseries.md §1.6): m = 2, lr 1e-3, 5 epochs; quick: 1 epoch.
    const o = trainOptions.parse({ multiLayer: 2, lr: 1e-3, epochs: ctx.quick ? 1 : 5 });
    return runTrain(o, ctx);
  },
};
