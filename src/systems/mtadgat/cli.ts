/**
 * `sheaf mtadgat train|eval|detect|inject` and MTAD-GAT's part of `sheaf demo`. Thin wrappers on
 * the programmatic API (index.ts). Option names are the reference's `args.py` flags in kebab
 * case (`--lookback`, `--bs`, `--init-lr`, `--use-gatv2`, `--scale-scores`, …) with its defaults.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { SystemDefinition, SystemVerb, VerbContext, VerbResult } from '../../node/cli/system.js';
import type { MetricsComparison, ReportSection } from '../../report/report.js';
import { writeCsv } from '../../data/csv.js';
import { writeFileAtomic, writeJsonAtomic } from '../../node/fs.js';
import { InputError, UsageError } from '../../util/errors.js';
import { MODEL_DEFAULTS, SCORE_DEFAULTS, TRAIN_DEFAULTS, type ModelConfig, type ScoreConfig, type TrainConfig } from './config.js';
import { type AnomalyData, loadAnomalyData } from './data.js';
import { type Detector, evaluateTest, fitDetector, loadDetector, saveDetector, scaleSeries, scoreSeries, targetNames } from './detector.js';
import { type ThresholdConfig, alarmIntervals, fitThresholds, type AnomalyInterval } from './evaluate.js';
import { meanFeatureAttention, scoreErrors } from './scores.js';
import { readLabelsFile } from '../../data/labels.js';
import { comparisons, lossChart, plotSections } from './report.js';
import { ANOMALY_KINDS, type AnomalyKind, injectAnomalies, writeInjected } from './inject.js';
import type { GrimshawSolver } from './thresholds.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The shipped WSN recording in the SMD layout (data/README.md). */
export const WSN = {
  train: join(ROOT, 'data', 'wsn', 'train.txt'),
  test: join(ROOT, 'data', 'wsn', 'test.txt'),
  labels: join(ROOT, 'data', 'wsn', 'test_label.txt'),
};
/** The shipped Chicago ridership series (the injection generator's default input). */
export const CHICAGO_CSV = join(ROOT, 'data', 'chicago-ridership', 'ridership.csv');

const num = () => z.coerce.number();
const int = () => z.coerce.number().int();

const dataOptions = {
  data: z.string().default(WSN.train).describe('training series: SMD layout (comma-separated rows, no header) or CSV with a header; with --train-rows, the whole series (default: shipped WSN train.txt, with its test.txt and labels)'),
  test: z.string().optional().describe('test series, same columns'),
  labels: z.string().optional().describe('labels file, one 0/1 per test row (per row of --data with --train-rows)'),
  trainRows: int().positive().optional().describe('cut --data: rows before this are training, the rest test'),
  fillMissing: z.boolean().default(false).describe('forward/backward fill missing cells instead of failing'),
  allowConstant: z.boolean().default(false).describe('keep columns that are constant over every row'),
  dropConstant: z.boolean().default(false).describe('drop columns that are constant over every row'),
};

const scoreOptions = {
  gamma: num().min(0).optional().describe(`weight of the reconstruction term (reference ${SCORE_DEFAULTS.gamma}; paper tunes it, TimeEval 0.8)`),
  score: z.enum(['ml4its', 'paper']).optional().describe("ml4its: |ŷ−y| + γ|x̂−y|; paper: ((ŷ−y)² + γ(1−p))/(1+γ), needs --recon vae (default ml4its)"),
  scaleScores: z.boolean().optional().describe('per-feature robust scaling (s − median)/(1 + IQR) (default false)'),
  useMovAv: z.boolean().optional().describe('EWM-smooth the global score (default false)'),
  movAvSpan: num().min(1).optional().describe('EWM span (default int(256·lookback·0.05), as the reference)'),
  level: num().gt(0).lt(1).optional().describe(`POT initial quantile (default ${SCORE_DEFAULTS.level}, the reference's SMD-1 choice)`),
  q: num().gt(0).lt(1).optional().describe(`POT risk (default ${SCORE_DEFAULTS.q})`),
  dynamicPot: z.boolean().optional().describe('update the POT threshold along the test scores (default false)'),
  regLevel: int().min(0).max(2).optional().describe(`epsilon regularisation level 0/1/2 (default ${SCORE_DEFAULTS.regLevel})`),
  potSolver: z.enum(['reference', 'exact']).default('reference').describe("Grimshaw root search: 'reference' reproduces spot.py's L-BFGS-B stopping points; 'exact' finds the true roots"),
};

const trainOptions = z.object({
  ...dataOptions,
  lookback: int().min(2).default(MODEL_DEFAULTS.lookback).describe('window length n'),
  normalize: z.boolean().default(TRAIN_DEFAULTS.normalize).describe('min–max scale with training statistics'),
  specRes: z.boolean().default(TRAIN_DEFAULTS.specRes).describe('paper variant: clean the training series with Spectral Residual'),
  srThreshold: num().positive().default(TRAIN_DEFAULTS.srThreshold).describe('Spectral-Residual score threshold'),
  srScoreWindow: int().positive().default(TRAIN_DEFAULTS.srScoreWindow).describe('Spectral-Residual local-average window'),
  srMagWindow: int().positive().default(TRAIN_DEFAULTS.srMagWindow).describe('Spectral-Residual spectrum-average window'),
  srContext: int().positive().default(TRAIN_DEFAULTS.srContext).describe('Spectral-Residual replacement context (± steps)'),
  targetDims: z.string().optional().describe('comma-separated feature indices to forecast/reconstruct/score (default all; SMAP/MSL use 0)'),
  kernelSize: int().positive().default(MODEL_DEFAULTS.kernelSize).describe('1-D convolution kernel (odd)'),
  useGatv2: z.boolean().default(MODEL_DEFAULTS.useGatv2).describe('GATv2 attention (--no-use-gatv2: original GAT)'),
  featGatEmbedDim: int().positive().optional().describe('feature-GAT embedding (default n; doubled under GATv2)'),
  timeGatEmbedDim: int().positive().optional().describe('time-GAT embedding (default k; doubled under GATv2)'),
  gruNLayers: int().positive().default(MODEL_DEFAULTS.gruNLayers).describe('GRU layers'),
  gruHidDim: int().positive().default(MODEL_DEFAULTS.gruHidDim).describe('GRU hidden size'),
  fcNLayers: int().positive().default(MODEL_DEFAULTS.fcNLayers).describe('forecasting MLP hidden layers'),
  fcHidDim: int().positive().default(MODEL_DEFAULTS.fcHidDim).describe('forecasting MLP width'),
  reconNLayers: int().positive().default(MODEL_DEFAULTS.reconNLayers).describe('reconstruction GRU layers'),
  reconHidDim: int().positive().default(MODEL_DEFAULTS.reconHidDim).describe('reconstruction GRU hidden size (VAE: hidden width)'),
  alpha: num().min(0).default(MODEL_DEFAULTS.alpha).describe('LeakyReLU slope in attention'),
  dropout: num().min(0).lt(1).default(MODEL_DEFAULTS.dropout).describe('dropout rate'),
  decoderInput: z.enum(['reference', 'tiled']).default('reference').describe("decoder input: the reference's repeat_interleave index map, or h tiled per step"),
  recon: z.enum(['gru', 'vae']).default('gru').describe('reconstruction model: GRU decoder (reference) or VAE (paper)'),
  vaeLatentDim: int().positive().optional().describe('VAE latent size (default --recon-hid-dim)'),
  epochs: int().min(0).default(TRAIN_DEFAULTS.epochs).describe('training epochs'),
  bs: int().positive().default(TRAIN_DEFAULTS.bs).describe('batch size'),
  initLr: num().positive().default(TRAIN_DEFAULTS.initLr).describe('Adam learning rate'),
  valSplit: num().min(0).lt(1).default(TRAIN_DEFAULTS.valSplit).describe('fraction of training windows held out'),
  valMode: z.enum(['random', 'chronological']).default('random').describe('validation windows: random (reference, overlapping/leaky) or the last ones'),
  shuffleDataset: z.boolean().default(TRAIN_DEFAULTS.shuffleDataset).describe('shuffle windows'),
  keepBest: z.boolean().default(false).describe('keep the epoch of lowest validation loss (the reference always keeps the last)'),
  initWeights: z.string().optional().describe('start from a reference PyTorch state dict saved as safetensors (its parameter names); with --epochs 0 it is used as is'),
  ...scoreOptions,
  alarm: z.enum(['epsilon', 'pot']).default('epsilon').describe('threshold for the alarms written and plotted (the reference saves epsilon alarms)'),
});

const evalOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by train'),
  ...dataOptions,
  ...scoreOptions,
  alarm: z.enum(['epsilon', 'pot']).default('epsilon').describe('threshold for the alarms written and plotted'),
});

const detectOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by train'),
  data: z.string().describe('series to score (SMD layout or CSV with a header, the training columns)'),
  labels: z.string().optional().describe('optional labels, one 0/1 per row (shaded in the plot)'),
  fillMissing: dataOptions.fillMissing,
  ...scoreOptions,
  alarm: z.enum(['epsilon', 'pot', 'value']).default('epsilon').describe('alarm threshold: fitted on the training scores (epsilon, POT) or --threshold'),
  threshold: num().optional().describe('alarm threshold with --alarm value'),
});

const injectOptions = z.object({
  data: z.string().default(CHICAGO_CSV).describe('real series to inject into (default: shipped Chicago ridership)'),
  trainRows: int().min(2).default(2000).describe('clean training rows'),
  testRows: int().positive().default(1500).describe('test rows (after the training rows) that get the anomalies'),
  skip: int().min(0).default(0).describe('leading rows to skip'),
  count: int().positive().default(16).describe('number of injected events'),
  kinds: z.string().default(ANOMALY_KINDS.join(',')).describe('anomaly kinds to cycle through'),
  gap: int().min(0).default(30).describe('minimum normal steps between events'),
  out: z.string().optional().describe('folder to write into (default: the run folder)'),
});

type TrainOpts = z.infer<typeof trainOptions>;
type EvalOpts = z.infer<typeof evalOptions>;
type DetectOpts = z.infer<typeof detectOptions>;
type ScoreOpts = Partial<Pick<TrainOpts, keyof typeof scoreOptions>>;

function parseTargetDims(s: string | undefined): number[] | null {
  if (s === undefined || s.trim() === '' || s.trim() === 'all') return null;
  return s.split(',').map((t) => {
    const v = Number(t.trim());
    if (!Number.isInteger(v) || v < 0) throw new UsageError(`--target-dims: '${t}' is not a feature index (use e.g. 0,3)`);
    return v;
  });
}

/** Score settings: flags over the defaults (train) or over the checkpoint's (eval/detect). */
function scoreConfig(o: ScoreOpts, base: ScoreConfig): ScoreConfig {
  return {
    gamma: o.gamma ?? base.gamma,
    score: o.score ?? base.score,
    scaleScores: o.scaleScores ?? base.scaleScores,
    useMovAv: o.useMovAv ?? base.useMovAv,
    movAvSpan: o.movAvSpan ?? base.movAvSpan,
    level: o.level ?? base.level,
    q: o.q ?? base.q,
    dynamicPot: o.dynamicPot ?? base.dynamicPot,
    regLevel: (o.regLevel ?? base.regLevel) as 0 | 1 | 2,
  };
}

function thresholdConfig(s: ScoreConfig, solver: GrimshawSolver): ThresholdConfig {
  return { level: s.level, q: s.q, dynamicPot: s.dynamicPot, regLevel: s.regLevel, potSolver: solver };
}

function loadData(o: Pick<TrainOpts, keyof typeof dataOptions>, minRows: number, log: (l: string) => void): AnomalyData {
  const isDefault = o.data === WSN.train && o.test === undefined && o.trainRows === undefined;
  return loadAnomalyData({
    data: o.data,
    test: isDefault ? WSN.test : o.test,
    labels: isDefault && o.labels === undefined ? WSN.labels : o.labels,
    trainRows: o.trainRows,
    fillMissing: o.fillMissing,
    allowConstant: o.allowConstant,
    dropConstant: o.dropConstant,
    minRows,
    log,
  });
}

function modelConfigFrom(o: TrainOpts): Partial<Omit<ModelConfig, 'nFeatures'>> {
  return {
    lookback: o.lookback,
    targetDims: parseTargetDims(o.targetDims),
    kernelSize: o.kernelSize,
    useGatv2: o.useGatv2,
    featGatEmbedDim: o.featGatEmbedDim ?? null,
    timeGatEmbedDim: o.timeGatEmbedDim ?? null,
    gruNLayers: o.gruNLayers,
    gruHidDim: o.gruHidDim,
    fcNLayers: o.fcNLayers,
    fcHidDim: o.fcHidDim,
    reconNLayers: o.reconNLayers,
    reconHidDim: o.reconHidDim,
    alpha: o.alpha,
    dropout: o.dropout,
    decoderInput: o.decoderInput,
    recon: o.recon,
    vaeLatentDim: o.vaeLatentDim ?? null,
  };
}

function trainConfigFrom(o: TrainOpts): Partial<TrainConfig> {
  return {
    epochs: o.epochs,
    bs: o.bs,
    initLr: o.initLr,
    valSplit: o.valSplit,
    valMode: o.valMode,
    shuffleDataset: o.shuffleDataset,
    keepBest: o.keepBest,
    normalize: o.normalize,
    specRes: o.specRes,
    srMagWindow: o.srMagWindow,
    srScoreWindow: o.srScoreWindow,
    srThreshold: o.srThreshold,
    srContext: o.srContext,
  };
}

/** Write per-step scores (global, per feature, alarm, label) and the alarm intervals. */
function writeDetections(
  dir: string,
  det: Detector,
  offset: number,
  global: Float64Array,
  feature: Float32Array,
  threshold: number,
  labels: ArrayLike<number> | null,
  intervals: AnomalyInterval[],
): Array<{ kind: string; path: string }> {
  const names = targetNames(det);
  const dims = names.length;
  const header = ['row', 'score', 'threshold', 'alarm', ...(labels ? ['label'] : []), ...names.map((n) => `score_${n}`)];
  const w = header.length;
  const rows = new Float64Array(global.length * w);
  for (let i = 0; i < global.length; i++) {
    const o = i * w;
    rows[o] = i + offset;
    rows[o + 1] = global[i]!;
    rows[o + 2] = threshold;
    rows[o + 3] = global[i]! > threshold ? 1 : 0;
    let c = 4;
    if (labels) rows[o + c++] = labels[i]!;
    for (let j = 0; j < dims; j++) rows[o + c + j] = feature[i * dims + j]!;
  }
  const scoresPath = join(dir, 'scores.csv');
  writeCsv(scoresPath, header, rows, w);
  const ivCsv = ['start_row,end_row,length,peak_score,mean_score,top_features'];
  for (const iv of intervals) ivCsv.push([iv.start, iv.end, iv.length, iv.peakScore, iv.meanScore, `"${iv.topFeatures.map((f) => `${f.feature}:${f.share.toFixed(3)}`).join(' ').replaceAll('"', '""')}"`].join(','));
  const ivPath = join(dir, 'intervals.csv');
  writeFileAtomic(ivPath, ivCsv.join('\n') + '\n');
  const jsonPath = join(dir, 'intervals.json');
  writeJsonAtomic(jsonPath, { threshold, offset, intervals });
  return [
    { kind: 'scores', path: scoresPath },
    { kind: 'intervals', path: ivPath },
    { kind: 'intervals-json', path: jsonPath },
  ];
}

/** Score a labelled test series, compare with the baselines, write detections and plots. */
function evaluateAndReport(det: Detector, data: AnomalyData, cfg: ScoreConfig, thr: ThresholdConfig, alarm: 'epsilon' | 'pot', dir: string, log: (l: string) => void): VerbResult {
  const test = data.test!;
  const n = det.model.config.lookback;
  const names = targetNames(det);
  const dims = names.length;
  const sections: ReportSection[] = [];
  const artifacts: Array<{ kind: string; path: string }> = [];
  const metrics: MetricsComparison[] = [];
  let global: Float64Array;
  let feature: Float32Array;
  let threshold: number;
  let labels: Float32Array | null = null;
  const notes: string[] = [];
  let scaledTargets: Float32Array;
  if (data.labels) {
    const ev = evaluateTest(det, test, data.labels, cfg, thr);
    global = ev.series.scores.global;
    feature = ev.series.scores.feature;
    labels = ev.labels;
    threshold = alarm === 'pot' ? ev.model.pot.threshold : ev.model.epsilon.threshold;
    metrics.push(
      ...comparisons('test', data.name, [
        { label: 'MTAD-GAT', kind: 'model', e: ev.model },
        { label: 'z-score', kind: 'baseline', e: ev.zscore },
        { label: 'persistence', kind: 'baseline', e: ev.persistence },
      ]),
    );
    scaledTargets = ev.series.predictions!.actual;
    const p = ev.model;
    log(`test ROC-AUC ${fmt(p.rocAuc)}  PR-AUC ${fmt(p.prAuc)}  | z-score ${fmt(ev.zscore.rocAuc)}/${fmt(ev.zscore.prAuc)}  persistence ${fmt(ev.persistence.rocAuc)}/${fmt(ev.persistence.prAuc)}`);
    for (const [name, e] of [['epsilon', p.epsilon], ['POT', p.pot], ['best-F1 (oracle)', p.bestF1]] as const) {
      log(`  ${name.padEnd(17)} thr ${e.threshold.toPrecision(6)}  PA P/R/F1 ${fmt(e.adjusted.precision)}/${fmt(e.adjusted.recall)}/${fmt(e.adjusted.f1)}  raw P/R/F1 ${fmt(e.raw.precision)}/${fmt(e.raw.recall)}/${fmt(e.raw.f1)}`);
    }
    log(`  best raw F1 (oracle) ${fmt(p.bestRaw.f1)} at score ≥ ${p.bestRaw.threshold.toPrecision(6)}`);
    const summary = {
      dataset: data.name,
      scoredSteps: global.length,
      anomalousSteps: labels.reduce((a, b) => a + b, 0),
      model: ev.model,
      zscore: ev.zscore,
      persistence: ev.persistence,
    };
    const sp = join(dir, 'summary.json');
    writeJsonAtomic(sp, summary);
    artifacts.push({ kind: 'summary', path: sp });
  } else {
    const s = scoreSeries(det, test, cfg, true);
    global = s.scores.global;
    feature = s.scores.feature;
    const trainGlobal = scoreErrors(det.trainErrors, cfg, n).global;
    const t = fitThresholds(trainGlobal, global, thr);
    threshold = alarm === 'pot' ? t.pot.threshold : t.epsilon;
    scaledTargets = s.predictions!.actual;
    notes.push('no labels given: scores and alarms written, no metrics');
  }
  const alarms = Uint8Array.from(global, (v) => (v > threshold ? 1 : 0));
  const intervals = alarmIntervals(alarms, global, feature, names, n);
  artifacts.push(...writeDetections(dir, det, n, global, feature, threshold, labels, intervals));
  const scaledTest = scaleSeries(det, test);
  const starts = Array.from({ length: test.rows - n }, (_, i) => i);
  const attention = meanFeatureAttention(det.model, scaledTest, starts);
  sections.push(
    ...plotSections({
      dataset: data.name,
      offset: n,
      score: global,
      threshold,
      thresholdName: alarm === 'pot' ? 'POT' : 'epsilon',
      labels,
      alarms,
      targets: scaledTargets,
      targetNames: names,
      intervals,
      attention,
      featureNames: det.featureNames,
    }),
  );
  notes.push(`scores: ${join(dir, 'scores.csv')} (${dims} per-feature columns); ${intervals.length} alarm interval(s): ${join(dir, 'intervals.csv')}`);
  return { metrics, sections, artifacts, notes };
}

/** A header that names the columns differently from the training data is a mistake worth stopping for. */
function checkColumnNames(det: Detector, names: string[], file: string): void {
  const generic = names.every((n, i) => n === `f${i}`);
  if (generic || names.length !== det.featureNames.length) return;
  const c = names.findIndex((n, i) => n !== det.featureNames[i]);
  if (c >= 0) throw new InputError(`column ${c + 1} is '${names[c]}' but the model was trained with '${det.featureNames[c]}' there`, { file, line: 1, column: c + 1 });
}

function fmt(v: number | null): string {
  return v === null ? '-' : v.toFixed(4);
}

function requireRunDir(ctx: VerbContext): string {
  if (!ctx.runDir) throw new Error('this verb needs a run folder');
  return ctx.runDir;
}

/** Train (and evaluate on the test part when there is one). */
async function runTrain(o: TrainOpts, ctx: VerbContext): Promise<VerbResult> {
  const dir = requireRunDir(ctx);
  const data = loadData(o, o.lookback + 1, ctx.log);
  const cfg = scoreConfig(o, SCORE_DEFAULTS);
  ctx.log(`MTAD-GAT on ${data.name}: ${data.train.rows} training rows × ${data.train.cols} features${data.test ? `, ${data.test.rows} test rows` : ''}${data.labels ? ` (${data.labels.reduce((a, b) => a + b, 0)} labelled anomalous)` : ''}`);
  const det = await fitDetector(data, {
    model: modelConfigFrom(o),
    train: trainConfigFrom(o),
    score: cfg,
    seed: ctx.seed,
    log: ctx.log,
    logEpoch: ctx.logEpoch,
    signal: ctx.signal,
    initWeights: o.initWeights,
    progressDir: join(dir, 'progress'),
    resume: ctx.resume ?? false,
  });
  const ckpt = join(dir, 'checkpoint');
  saveDetector(ckpt, det);
  ctx.log(`${det.model.numParameters()} parameters; ${det.windows.train} training / ${det.windows.val} validation windows; checkpoint: ${ckpt}`);
  const result: VerbResult = {
    dataset: { name: data.name },
    artifacts: [{ kind: 'checkpoint', path: ckpt }],
    sections: det.history.length > 0 ? [{ title: 'Training', description: `Model of epoch ${det.keptEpoch} kept (${o.keepBest ? 'lowest validation loss' : 'last epoch, as the reference'}).`, charts: [lossChart(det.history)] }] : [],
    config: { ...o, seed: ctx.seed, parameters: det.model.numParameters() },
    notes: [],
  };
  if (data.test) {
    const r = evaluateAndReport(det, data, cfg, thresholdConfig(cfg, o.potSolver), o.alarm, dir, ctx.log);
    result.metrics = r.metrics;
    result.sections!.push(...(r.sections ?? []));
    result.artifacts!.push(...(r.artifacts ?? []));
    result.notes!.push(...(r.notes ?? []));
  }
  result.notes!.push(`checkpoint written to ${ckpt}`);
  return result;
}

async function runEval(o: EvalOpts, ctx: VerbContext): Promise<VerbResult> {
  const dir = requireRunDir(ctx);
  const det = loadDetector(o.checkpoint);
  const n = det.model.config.lookback;
  const data = loadData(o, n + 1, ctx.log);
  if (!data.test) throw new UsageError('eval needs test rows: give --test (or --train-rows) and --labels');
  if (!data.labels) throw new UsageError('eval needs --labels for the test rows (use `detect` to score unlabelled data)');
  if (data.test.cols !== det.model.config.nFeatures) {
    throw new UsageError(`the test data has ${data.test.cols} columns but the checkpoint was trained on ${det.model.config.nFeatures}`);
  }
  checkColumnNames(det, data.featureNames, o.test ?? o.data);
  const cfg = scoreConfig(o, det.scoreConfig);
  const r = evaluateAndReport(det, data, cfg, thresholdConfig(cfg, o.potSolver), o.alarm, dir, ctx.log);
  return { ...r, dataset: { name: data.name }, config: { ...o, score: cfg } };
}

async function runDetect(o: DetectOpts, ctx: VerbContext): Promise<VerbResult> {
  const dir = requireRunDir(ctx);
  const det = loadDetector(o.checkpoint);
  const n = det.model.config.lookback;
  const data = loadAnomalyData({ data: o.data, fillMissing: o.fillMissing, allowConstant: true, minRows: n + 1 });
  const series = data.train;
  if (series.cols !== det.model.config.nFeatures) {
    throw new UsageError(`${o.data} has ${series.cols} columns but the checkpoint was trained on ${det.model.config.nFeatures}`);
  }
  checkColumnNames(det, data.featureNames, o.data);
  let labels: Float32Array | null = null;
  if (o.labels) {
    labels = readLabelsFile(o.labels, { binary: true, expectedCount: series.rows }).slice(n);
  }
  const cfg = scoreConfig(o, det.scoreConfig);
  const s = scoreSeries(det, series, cfg, true);
  let threshold: number;
  if (o.alarm === 'value') {
    if (o.threshold === undefined) throw new UsageError('--alarm value needs --threshold');
    threshold = o.threshold;
  } else {
    const t = fitThresholds(scoreErrors(det.trainErrors, cfg, n).global, s.scores.global, thresholdConfig(cfg, o.potSolver));
    threshold = o.alarm === 'pot' ? t.pot.threshold : t.epsilon;
  }
  const names = targetNames(det);
  const alarms = Uint8Array.from(s.scores.global, (v) => (v > threshold ? 1 : 0));
  const intervals = alarmIntervals(alarms, s.scores.global, s.scores.feature, names, n);
  const artifacts = writeDetections(dir, det, n, s.scores.global, s.scores.feature, threshold, labels, intervals);
  const attention = meanFeatureAttention(det.model, s.scaled, Array.from({ length: series.rows - n }, (_, i) => i));
  const sections = plotSections({
    dataset: o.data,
    offset: n,
    score: s.scores.global,
    threshold,
    thresholdName: o.alarm,
    labels,
    alarms,
    targets: s.predictions!.actual,
    targetNames: names,
    intervals,
    attention,
    featureNames: det.featureNames,
  });
  const alarmSteps = alarms.reduce((a, b) => a + b, 0);
  ctx.log(`${s.scores.global.length} steps scored (rows ${n}…${series.rows - 1}); threshold ${threshold.toPrecision(6)} (${o.alarm}); ${alarmSteps} alarm steps in ${intervals.length} interval(s)`);
  for (const iv of intervals.slice(0, 10)) ctx.log(`  rows ${iv.start}–${iv.end}: peak ${iv.peakScore.toPrecision(4)}; top ${iv.topFeatures.map((f) => `${f.feature} ${(100 * f.share).toFixed(0)}%`).join(', ')}`);
  return {
    dataset: { name: o.data },
    artifacts,
    sections,
    config: { ...o, score: cfg, threshold },
    notes: [`scores: ${artifacts[0]!.path}`, `intervals: ${artifacts[1]!.path}`],
  };
}

async function runInject(o: z.infer<typeof injectOptions>, ctx: VerbContext): Promise<VerbResult> {
  const dir = o.out ?? requireRunDir(ctx);
  const kinds = o.kinds.split(',').map((k) => k.trim()) as AnomalyKind[];
  for (const k of kinds) if (!ANOMALY_KINDS.includes(k)) throw new UsageError(`--kinds: unknown kind '${k}' (accepted: ${ANOMALY_KINDS.join(', ')})`);
  const src = loadAnomalyData({ data: o.data, allowConstant: true });
  const inj = injectAnomalies(src.train, src.featureNames, { seed: ctx.seed, trainRows: o.trainRows, testRows: o.testRows, skip: o.skip, count: o.count, kinds, gap: o.gap });
  const files = writeInjected(dir, inj, src.featureNames, { source: o.data, seed: ctx.seed, trainRows: o.trainRows, testRows: o.testRows, skip: o.skip, count: o.count, kinds, gap: o.gap });
  const anomalous = inj.labels.reduce((a, b) => a + b, 0);
  ctx.log(`injected ${inj.events.length} events (${anomalous} of ${inj.labels.length} test steps labelled) into ${o.data}; seed ${ctx.seed}`);
  return {
    dataset: { name: o.data },
    artifacts: files.map((path, i) => ({ kind: ['train', 'test', 'labels', 'events'][i]!, path })),
    config: { ...o, seed: ctx.seed },
    notes: [`train on it: sheaf mtadgat train --data ${files[0]} --test ${files[1]} --labels ${files[2]}`],
  };
}

const verbs: SystemVerb[] = [
  { name: 'train', summary: 'train on a series (and evaluate on its test part beside z-score and persistence)', options: trainOptions, createsRun: true, run: runTrain as SystemVerb['run'] },
  { name: 'eval', summary: 'score a labelled test series with a checkpoint: ROC/PR-AUC, F1 (point-adjusted and raw) per threshold', options: evalOptions, createsRun: true, run: runEval as SystemVerb['run'] },
  { name: 'detect', summary: 'score a series: per-step and per-feature scores, alarms, intervals with their top features', options: detectOptions, createsRun: true, run: runDetect as SystemVerb['run'] },
  { name: 'inject', summary: 'write a labelled synthetic set: anomalies injected into a real series (seeded)', options: injectOptions, createsRun: true, run: runInject as SystemVerb['run'] },
];

/** The demo: WSN (real labels) at a small setting; quick = the smallest that still trains. */
async function demo(ctx: VerbContext): Promise<VerbResult> {
  const quick = ctx.quick;
  const o = trainOptions.parse(
    quick
      ? { lookback: 10, bs: 64, epochs: 1, gruHidDim: 16, fcHidDim: 16, reconHidDim: 16, fcNLayers: 1 }
      : { lookback: 50, bs: 64, epochs: 3 },
  );
  const r = await runTrain(o, ctx);
  r.notes = [...(r.notes ?? []), quick ? 'quick demo: lookback 10, 1 epoch, hidden 16 (not the acceptance setting)' : 'demo: lookback 50, batch 64, 3 epochs (acceptance uses 10)'];
  return r;
}

export const mtadgatSystem: SystemDefinition = {
  name: 'mtadgat',
  title: 'MTAD-GAT',
  summary: 'multivariate time-series anomaly detection with feature and temporal graph attention',
  verbs,
  demo,
};

