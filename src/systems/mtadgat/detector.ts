/**
 * The whole detector: scaling fitted on the training series, the trained model, its error terms
 * on the training series (what epsilon and POT thresholds are fitted on) and the baselines'
 * training statistics — everything `eval` and `detect` need, saved together as a checkpoint
 * folder: `model.safetensors` (the reference's parameter names), `config.json`,
 * `train_scores.safetensors`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadSafetensors, saveSafetensors } from '../../io/safetensors.js';
import { readText } from '../../data/csv.js';
import { writeJsonAtomic } from '../../node/fs.js';
import { InputError, UsageError } from '../../util/errors.js';
import {
  type ModelConfig,
  type ScoreConfig,
  type TrainConfig,
  SCORE_DEFAULTS,
  TRAIN_DEFAULTS,
  checkScoreConfig,
  checkTrainConfig,
  resolveModelConfig,
  targetIndices,
} from './config.js';
import { type AnomalyData, type MinMaxParams, type Series, applyMinMax, fitMinMax, trainConstantColumns } from './data.js';
import { MTADGAT } from './model.js';
import { cleanWithSpectralResidual } from './spectral_residual.js';
import { type EpochLosses, trainModel } from './train.js';
export { loadReferenceWeights } from './train.js';
import { type ErrorTerms, type Predictions, type Scores, computeErrors, scoreErrors } from './scores.js';
import { type ZScoreParams, fitZScore, persistenceScores, zScoreScores } from './baselines.js';
import { type DetectorEvaluation, type ThresholdConfig, evaluateDetector } from './evaluate.js';

/** A trained detector (model + what scoring and thresholds need). */
export interface Detector {
  model: MTADGAT;
  trainConfig: TrainConfig;
  /** Scoring defaults chosen at training time (each can be overridden when scoring). */
  scoreConfig: ScoreConfig;
  /** Min–max scaling fitted on the training rows; null when `normalize` is off. */
  scaler: MinMaxParams | null;
  featureNames: string[];
  /** Error terms of the (unclean) training series, for thresholds. */
  trainErrors: ErrorTerms;
  zscore: ZScoreParams;
  /** Baselines' scores on the training series (for their thresholds). */
  baselineTrain: { zscore: Float64Array; persistence: Float64Array };
  history: EpochLosses[];
  keptEpoch: number;
  /** Training windows used for training / validation. */
  windows: { train: number; val: number };
  /** Points replaced per feature by Spectral-Residual cleaning (paper variant), else null. */
  srReplaced: number[] | null;
  dataset: string;
}

/** Options of {@link fitDetector}. */
export interface FitDetectorOptions {
  model?: Partial<Omit<ModelConfig, 'nFeatures'>>;
  train?: Partial<TrainConfig>;
  score?: Partial<ScoreConfig>;
  seed?: number;
  log?: (line: string) => void;
  logEpoch?: (epoch: number, split: string, metrics: Record<string, number>) => void;
  signal?: AbortSignal;
  /** Start from these weights (a reference state dict as safetensors); with `epochs: 0` they are used as is. */
  initWeights?: string;
  /** Folder for per-epoch resumable checkpoints (see `trainModel`). */
  progressDir?: string;
  /** Continue from the checkpoint in `progressDir`. */
  resume?: boolean;
}

/** Scale a raw series with the detector's training statistics (identity when normalize is off). */
export function scaleSeries(det: Pick<Detector, 'scaler'>, raw: Series): Series {
  return det.scaler ? applyMinMax(raw, det.scaler) : raw;
}

/** Train a detector on the training part of `data`. */
export async function fitDetector(data: AnomalyData, o: FitDetectorOptions = {}): Promise<Detector> {
  const tc: TrainConfig = { ...TRAIN_DEFAULTS, ...o.train };
  checkTrainConfig(tc);
  const sc: ScoreConfig = { ...SCORE_DEFAULTS, ...o.score };
  const mc = resolveModelConfig({ ...o.model, nFeatures: data.train.cols });
  checkScoreConfig(sc, mc.recon);
  const log = o.log ?? (() => undefined);
  const constTrain = trainConstantColumns(data.train);
  if (constTrain.length > 0) {
    log(`note: column(s) ${constTrain.map((c) => `'${data.featureNames[c]}'`).join(', ')} are constant in training; scaled with range 1 (sklearn's rule), so their test deviations stay finite`);
  }
  const scaler = tc.normalize ? fitMinMax(data.train) : null;
  const trainScaled = scaleSeries({ scaler }, data.train);
  let fitSeries = trainScaled;
  let srReplaced: number[] | null = null;
  if (tc.specRes) {
    const r = cleanWithSpectralResidual(trainScaled.data, trainScaled.rows, trainScaled.cols, {
      magWindow: tc.srMagWindow,
      scoreWindow: tc.srScoreWindow,
      threshold: tc.srThreshold,
      context: tc.srContext,
    });
    fitSeries = { ...trainScaled, data: r.data };
    srReplaced = r.replaced;
    log(`Spectral-Residual cleaning replaced ${r.replaced.reduce((a, b) => a + b, 0)} training points (${r.replaced.join(', ')} per feature)`);
  }
  const res = await trainModel({ series: fitSeries, model: mc, train: tc, seed: o.seed, log, logEpoch: o.logEpoch, signal: o.signal, initWeights: o.initWeights, progressDir: o.progressDir, resume: o.resume });
  const { errors } = computeErrors(res.model, trainScaled);
  const targets = targetIndices(mc);
  const zscore = fitZScore(data.train);
  return {
    model: res.model,
    trainConfig: tc,
    scoreConfig: sc,
    scaler,
    featureNames: data.featureNames,
    trainErrors: errors,
    zscore,
    baselineTrain: {
      zscore: zScoreScores(data.train, zscore, targets, mc.lookback),
      persistence: persistenceScores(trainScaled, targets, mc.lookback),
    },
    history: res.history,
    keptEpoch: res.keptEpoch,
    windows: { train: res.trainWindows, val: res.valWindows },
    srReplaced,
    dataset: data.name,
  };
}

/** Names of the target features (scored). */
export function targetNames(det: Pick<Detector, 'model' | 'featureNames'>): string[] {
  return targetIndices(det.model.config).map((i) => det.featureNames[i]!);
}

/** Model and baseline scores of a raw series (rows lookback … end). */
export interface SeriesScores {
  scaled: Series;
  errors: ErrorTerms;
  predictions: Predictions | null;
  scores: Scores;
  zscore: Float64Array;
  persistence: Float64Array;
}

/** Score a raw series with the detector (and the baselines on the same steps). */
export function scoreSeries(det: Detector, raw: Series, cfg: ScoreConfig = det.scoreConfig, keepPredictions = false): SeriesScores {
  if (raw.cols !== det.model.config.nFeatures) {
    throw new InputError(`the series has ${raw.cols} columns but the model was trained on ${det.model.config.nFeatures}`, { field: 'columns' });
  }
  checkScoreConfig(cfg, det.model.config.recon);
  const scaled = scaleSeries(det, raw);
  const { errors, predictions } = computeErrors(det.model, scaled, { keepPredictions });
  const n = det.model.config.lookback;
  const targets = targetIndices(det.model.config);
  return {
    scaled,
    errors,
    predictions,
    scores: scoreErrors(errors, cfg, n),
    zscore: zScoreScores(raw, det.zscore, targets, n),
    persistence: persistenceScores(scaled, targets, n),
  };
}

/** Model and baselines evaluated on a labelled test series. */
export interface TestEvaluation {
  series: SeriesScores;
  /** Training scores under the same scoring configuration. */
  trainScores: Scores;
  /** Labels of the scored steps. */
  labels: Float32Array;
  model: DetectorEvaluation;
  zscore: DetectorEvaluation;
  persistence: DetectorEvaluation;
}

export function evaluateTest(det: Detector, test: Series, labels: Float32Array, cfg: ScoreConfig, thr: ThresholdConfig): TestEvaluation {
  if (labels.length !== test.rows) throw new InputError(`expected ${test.rows} labels (one per test row), got ${labels.length}`, { field: 'labels' });
  const s = scoreSeries(det, test, cfg, true);
  const n = det.model.config.lookback;
  const scored = labels.slice(n);
  const trainScores = scoreErrors(det.trainErrors, cfg, n);
  return {
    series: s,
    trainScores,
    labels: scored,
    model: evaluateDetector(trainScores.global, s.scores.global, scored, thr),
    zscore: evaluateDetector(det.baselineTrain.zscore, s.zscore, scored, thr),
    persistence: evaluateDetector(det.baselineTrain.persistence, s.persistence, scored, thr),
  };
}

const FORMAT = 'sheaf-mtadgat-1';

/** Write a detector to `dir` (created): model.safetensors, config.json, train_scores.safetensors. */
export function saveDetector(dir: string, det: Detector): void {
  saveSafetensors(join(dir, 'model.safetensors'), det.model.stateDict(), { format: 'pt', source: 'sheaf mtadgat (ML4ITS parameter names)' });
  const e = det.trainErrors;
  const arrays = new Map<string, tf.Tensor>([
    ['forecast_err', tf.tensor2d(e.forecastErr, [e.steps, e.dims])],
    ['recon_err', tf.tensor2d(e.reconErr, [e.steps, e.dims])],
    ['zscore', tf.tensor1d(Float32Array.from(det.baselineTrain.zscore))],
    ['persistence', tf.tensor1d(Float32Array.from(det.baselineTrain.persistence))],
  ]);
  if (e.reconImprob) arrays.set('recon_improb', tf.tensor2d(e.reconImprob, [e.steps, e.dims]));
  saveSafetensors(join(dir, 'train_scores.safetensors'), arrays);
  tf.dispose([...arrays.values()]);
  writeJsonAtomic(join(dir, 'config.json'), {
    format: FORMAT,
    model: det.model.config,
    train: det.trainConfig,
    score: det.scoreConfig,
    scaler: det.scaler,
    featureNames: det.featureNames,
    zscore: det.zscore,
    history: det.history,
    keptEpoch: det.keptEpoch,
    windows: det.windows,
    srReplaced: det.srReplaced,
    dataset: det.dataset,
    trainErrorsOffset: e.offset,
  });
}

/** Resolve `--checkpoint`: a checkpoint folder, or a run folder holding `checkpoint/`. */
export function resolveCheckpointDir(path: string): string {
  if (existsSync(join(path, 'config.json')) && existsSync(join(path, 'model.safetensors'))) return path;
  const inner = join(path, 'checkpoint');
  if (existsSync(join(inner, 'config.json'))) return inner;
  throw new UsageError(`--checkpoint ${path}: no MTAD-GAT checkpoint there (expected config.json and model.safetensors, or a run folder with checkpoint/)`);
}

/** Load a detector saved by {@link saveDetector}. */
export function loadDetector(path: string): Detector {
  const dir = resolveCheckpointDir(path);
  const cfgPath = join(dir, 'config.json');
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(readText(cfgPath)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: cfgPath });
  }
  if (cfg['format'] !== FORMAT) throw new InputError(`not an MTAD-GAT checkpoint (format ${JSON.stringify(cfg['format'])}, expected "${FORMAT}")`, { file: cfgPath, field: 'format' });
  const mc = cfg['model'] as ModelConfig;
  const model = new MTADGAT(mc);
  const weights = loadSafetensors(join(dir, 'model.safetensors'));
  try {
    model.loadStateDict(weights);
  } catch (e) {
    throw new InputError((e as Error).message, { file: join(dir, 'model.safetensors') });
  } finally {
    tf.dispose([...weights.values()]);
  }
  model.eval();
  const ts = loadSafetensors(join(dir, 'train_scores.safetensors'));
  const arr = (k: string): Float32Array => {
    const t = ts.get(k);
    if (!t) throw new InputError(`missing tensor '${k}'`, { file: join(dir, 'train_scores.safetensors') });
    return Float32Array.from(t.dataSync() as Float32Array);
  };
  const fe = ts.get('forecast_err')!;
  const [steps, dims] = fe.shape as [number, number];
  const trainErrors: ErrorTerms = {
    steps,
    dims,
    offset: (cfg['trainErrorsOffset'] as number) ?? mc.lookback,
    forecastErr: arr('forecast_err'),
    reconErr: arr('recon_err'),
    reconImprob: ts.has('recon_improb') ? arr('recon_improb') : null,
  };
  const baselineTrain = { zscore: Float64Array.from(arr('zscore')), persistence: Float64Array.from(arr('persistence')) };
  tf.dispose([...ts.values()]);
  return {
    model,
    trainConfig: { ...TRAIN_DEFAULTS, ...(cfg['train'] as Partial<TrainConfig>) },
    scoreConfig: { ...SCORE_DEFAULTS, ...(cfg['score'] as Partial<ScoreConfig>) },
    scaler: (cfg['scaler'] as MinMaxParams | null) ?? null,
    featureNames: cfg['featureNames'] as string[],
    trainErrors,
    zscore: cfg['zscore'] as ZScoreParams,
    baselineTrain,
    history: (cfg['history'] as EpochLosses[]) ?? [],
    keptEpoch: (cfg['keptEpoch'] as number) ?? 0,
    windows: (cfg['windows'] as { train: number; val: number }) ?? { train: 0, val: 0 },
    srReplaced: (cfg['srReplaced'] as number[] | null) ?? null,
    dataset: (cfg['dataset'] as string) ?? '',
  };
}
