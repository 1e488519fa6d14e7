/**
 * The whole detector: scaling fitted on the training series, the trained model, its error terms
 * on the training series (what epsilon and POT thresholds are fitted on) and the baselines'
 * training statistics — everything `eval` and `detect` need, saved together in one checkpoint:
 * `model.safetensors` (the reference's parameter names), `train_scores.safetensors`, and the
 * rest in `config.json`'s `extra`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, type WritableTensor } from '../../io/safetensors.js';
import { readJson, type Storage } from '../../io/storage.js';
import { joinPath } from '../../io/path.js';
import { MinMaxScaler } from '../../data/scalers.js';
import { InputError } from '../../util/errors.js';
import { checkpointTensors, type LoadedCheckpoint } from '../../train/checkpoint.js';
import type { ProgressSink } from '../../train/fit.js';
import type { SavedModel } from '../../system/types.js';
import { type MtadGatConfig, type ScoreConfig, SCORE_DEFAULTS, architectureOf, checkScoreConfig, protocolOf, resolveConfig, targetIndices } from './config.js';
import { type AnomalyData, type Series, applyMinMax, fitMinMax, trainConstantColumns } from './data.js';
import { MtadGatNet } from './model.js';
import { cleanWithSpectralResidual } from './spectral_residual.js';
import { type EpochLosses, trainModel } from './train.js';
export { loadReferenceWeights } from './train.js';
import { type ErrorTerms, type Predictions, type Scores, computeErrors, scoreErrors } from './scores.js';
import { type ZScoreParams, fitZScore, persistenceScores, zScoreScores } from './baselines.js';
import { type DetectorEvaluation, type ThresholdConfig, evaluateDetector } from './evaluate.js';

/** A trained detector (model + what scoring and thresholds need). */
export interface Detector {
  model: MtadGatNet;
  /** The configuration (architecture and training) it was trained with. */
  config: MtadGatConfig;
  /** Scoring defaults chosen at training time (each can be overridden when scoring). */
  scoreConfig: ScoreConfig;
  /** Min–max scaling fitted on the training rows; null when `normalize` is off. */
  scaler: MinMaxScaler | null;
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
  score?: Partial<ScoreConfig>;
  seed?: number;
  log?: (line: string) => void;
  curve?: (epoch: number, split: string, metrics: Record<string, number>) => void;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Where `initWeights` is read and progress checkpoints written. */
  storage?: Storage;
  /** Folder for per-epoch resumable checkpoints (a folder holding one resumes). */
  progressDir?: string;
}

/** Scale a raw series with the detector's training statistics (identity when normalize is off). */
export function scaleSeries(det: Pick<Detector, 'scaler'>, raw: Series): Series {
  return det.scaler ? applyMinMax(raw, det.scaler) : raw;
}

/** Train a detector on the training part of `data`. */
export async function fitDetector(data: AnomalyData, config: MtadGatConfig, o: FitDetectorOptions = {}): Promise<Detector> {
  const tc = protocolOf(config);
  const sc: ScoreConfig = { ...SCORE_DEFAULTS, ...o.score };
  const mc = architectureOf(config, data.train.cols);
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
  const res = await trainModel({ series: fitSeries, model: mc, train: tc, seed: o.seed, log, curve: o.curve, signal: o.signal, progress: o.progress, storage: o.storage, progressDir: o.progressDir });
  const { errors } = computeErrors(res.model, trainScaled);
  const targets = targetIndices(mc);
  const zscore = fitZScore(data.train);
  return {
    model: res.model,
    config,
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

/** What the checkpoint's `extra.model` holds. */
interface DetectorExtra {
  scoreConfig: ScoreConfig;
  scaler: ReturnType<MinMaxScaler['toJSON']> | null;
  featureNames: string[];
  zscore: ZScoreParams;
  history: EpochLosses[];
  keptEpoch: number;
  windows: { train: number; val: number };
  srReplaced: number[] | null;
  dataset: string;
  trainErrorsOffset: number;
}

/** The checkpoint content of a detector. */
export function saveDetector(det: Detector): SavedModel {
  const e = det.trainErrors;
  const scores = new Map<string, WritableTensor>([
    ['forecast_err', { dtype: 'F32', shape: [e.steps, e.dims], data: e.forecastErr }],
    ['recon_err', { dtype: 'F32', shape: [e.steps, e.dims], data: e.reconErr }],
    // F64, as computed: thresholds fitted on them at eval then equal the ones at training.
    ['zscore', { dtype: 'F64', shape: [det.baselineTrain.zscore.length], data: det.baselineTrain.zscore }],
    ['persistence', { dtype: 'F64', shape: [det.baselineTrain.persistence.length], data: det.baselineTrain.persistence }],
  ]);
  if (e.reconImprob) scores.set('recon_improb', { dtype: 'F32', shape: [e.steps, e.dims], data: e.reconImprob });
  const extra: DetectorExtra = {
    scoreConfig: det.scoreConfig,
    scaler: det.scaler ? det.scaler.toJSON() : null,
    featureNames: det.featureNames,
    zscore: det.zscore,
    history: det.history,
    keptEpoch: det.keptEpoch,
    windows: det.windows,
    srReplaced: det.srReplaced,
    dataset: det.dataset,
    trainErrorsOffset: e.offset,
  };
  return { tensors: det.model.stateDict(), files: { train_scores: scores }, config: det.config, extra, epoch: det.keptEpoch };
}

/** Rebuild a detector from its checkpoint. */
export function loadDetector(ck: LoadedCheckpoint): Detector {
  const where = joinPath(ck.dir, 'config.json');
  const config = resolveConfig(ck.config as Partial<MtadGatConfig>);
  const x = (ck.extra as { model?: DetectorExtra } | null)?.model;
  if (!x || !Array.isArray(x.featureNames)) throw new InputError('not an MTAD-GAT checkpoint (no feature names in extra.model)', { file: where, field: 'extra.model' });
  const model = new MtadGatNet(architectureOf(config, x.featureNames.length));
  const weights = checkpointTensors(ck);
  try {
    model.loadStateDict(weights);
  } catch (e) {
    model.dispose();
    throw new InputError((e as Error).message, { file: joinPath(ck.dir, 'model.safetensors') });
  } finally {
    tf.dispose([...weights.values()]);
  }
  model.eval();
  const scoresFile = joinPath(ck.dir, 'train_scores.safetensors');
  const ts = ck.files['train_scores'];
  const arr = (k: string): Float32Array => {
    const t = ts?.get(k);
    if (t?.dtype !== 'F32') throw new InputError(`missing F32 tensor '${k}'`, { file: scoresFile });
    return Float32Array.from(t.data as Float32Array);
  };
  // Older checkpoints stored the baselines' scores as F32.
  const arr64 = (k: string): Float64Array => {
    const t = ts?.get(k);
    if (!t || (t.dtype !== 'F64' && t.dtype !== 'F32')) throw new InputError(`missing tensor '${k}'`, { file: scoresFile });
    return Float64Array.from(t.data as Float64Array | Float32Array);
  };
  const fe = ts?.get('forecast_err');
  if (!fe) throw new InputError("missing tensor 'forecast_err'", { file: scoresFile });
  const [steps, dims] = fe.shape as [number, number];
  const trainErrors: ErrorTerms = {
    steps,
    dims,
    offset: x.trainErrorsOffset ?? config.lookback,
    forecastErr: arr('forecast_err'),
    reconErr: arr('recon_err'),
    reconImprob: ts!.has('recon_improb') ? arr('recon_improb') : null,
  };
  return {
    model,
    config,
    scoreConfig: { ...SCORE_DEFAULTS, ...x.scoreConfig },
    scaler: x.scaler ? MinMaxScaler.fromJSON(x.scaler, where) : null,
    featureNames: x.featureNames,
    trainErrors,
    zscore: x.zscore,
    baselineTrain: { zscore: arr64('zscore'), persistence: arr64('persistence') },
    history: x.history ?? [],
    keptEpoch: x.keptEpoch ?? 0,
    windows: x.windows ?? { train: 0, val: 0 },
    srReplaced: x.srReplaced ?? null,
    dataset: x.dataset ?? '',
  };
}

/** Read a checkpoint in the pre-kit format (`sheaf-mtadgat-1`) as a current one, or null. */
export async function legacyDetector(storage: Storage, path: string): Promise<LoadedCheckpoint | null> {
  for (const dir of [path, joinPath(path, 'checkpoint')]) {
    const cfgPath = joinPath(dir, 'config.json');
    if ((await storage.stat(cfgPath))?.kind !== 'file') continue;
    const c = (await readJson(storage, cfgPath)) as Record<string, unknown> | null;
    if (c?.['format'] !== 'sheaf-mtadgat-1') continue;
    const m = (c['model'] ?? {}) as Record<string, unknown>;
    const t = (c['train'] ?? {}) as Record<string, unknown>;
    const { nFeatures: _n, ...arch } = m;
    const { bs, initLr, ...train } = t;
    const config = resolveConfig({ ...arch, ...train, ...(bs !== undefined ? { batchSize: bs } : {}), ...(initLr !== undefined ? { lr: initLr } : {}) } as never);
    // The old scaler stored min and range (range 1 for a column constant in training).
    const old = c['scaler'] as { min: number[]; range: number[] } | null;
    const scaler = old
      ? new MinMaxScaler(
          old.min,
          old.min.map((v, i) => v + old.range[i]!),
          { eps: 0, inverseEps: 0, clip: false, constantRange: 'one' },
        ).toJSON()
      : null;
    const extra: DetectorExtra = {
      scoreConfig: { ...SCORE_DEFAULTS, ...(c['score'] as Partial<ScoreConfig>) },
      scaler,
      featureNames: c['featureNames'] as string[],
      zscore: c['zscore'] as ZScoreParams,
      history: (c['history'] as EpochLosses[]) ?? [],
      keptEpoch: (c['keptEpoch'] as number) ?? 0,
      windows: (c['windows'] as { train: number; val: number }) ?? { train: 0, val: 0 },
      srReplaced: (c['srReplaced'] as number[] | null) ?? null,
      dataset: (c['dataset'] as string) ?? '',
      trainErrorsOffset: (c['trainErrorsOffset'] as number) ?? config.lookback,
    };
    const read = async (f: string) => decodeSafetensors(await storage.read(joinPath(dir, f)), joinPath(dir, f)).tensors;
    return {
      dir,
      version: 1,
      system: 'mtadgat',
      config,
      epoch: extra.keptEpoch,
      step: 0,
      rngState: null,
      moduleRng: null,
      bestMetric: null,
      extra: { data: {}, eval: extra.scoreConfig, model: extra },
      scheduler: null,
      files: { model: await read('model.safetensors'), train_scores: await read('train_scores.safetensors') },
      optimizerMeta: null,
    };
  }
  return null;
}
