/**
 * MTAD-GAT (Zhao et al., ICDM 2020) as the reference re-implementation ML4ITS/mtad-gat-pytorch
 * computes it, with the paper's variants as switches. Programmatic API; the CLI verbs
 * (`sheaf mtadgat train|eval|detect|inject`, cli.ts) are thin wrappers on it.
 *
 * Typical use:
 *   const data = loadAnomalyData({ data: 'train.txt', test: 'test.txt', labels: 'test_label.txt' });
 *   const det = await trainMtadGat(data, { model: { lookback: 50 }, train: { bs: 64, epochs: 10 } });
 *   const ev = evaluateMtadGat(det, data.test!, data.labels!);   // model beside z-score / persistence
 *   const s = predictMtadGat(det, series);                        // per-step and per-feature scores
 */
import { SCORE_DEFAULTS, type ScoreConfig } from './config.js';
import type { AnomalyData, Series } from './data.js';
import { type Detector, type FitDetectorOptions, type SeriesScores, type TestEvaluation, evaluateTest, fitDetector, scoreSeries } from './detector.js';
import type { ThresholdConfig } from './evaluate.js';

export * from './config.js';
export { MTADGAT, expectedParameterCount, type MtadGatOutput } from './model.js';
export { ConvLayer, FeatureAttentionLayer, TemporalAttentionLayer, GRULayer, ForecastingModel, ReconstructionModel, RNNDecoder, VaeReconstructionModel, decoderInputSequence } from './layers.js';
export { loadAnomalyData, fitMinMax, applyMinMax, selectColumns, type AnomalyData, type Series, type LoadOptions, type MinMaxParams } from './data.js';
export { trainModel, splitWindows, windowArrays, evaluateLosses, type EpochLosses, type TrainModelOptions, type TrainModelResult } from './train.js';
export { computeErrors, featureScores, globalScores, scoreErrors, ewmMean, defaultMovAvSpan, meanFeatureAttention, type ErrorTerms, type Predictions, type Scores } from './scores.js';
export {
  calcPoint2Point,
  adjustPredicts,
  evaluateThreshold,
  findEpsilon,
  grimshaw,
  gpdLogLikelihood,
  potThreshold,
  bfSearch,
  bestRawF1,
  type Prf,
  type ThresholdEvaluation,
  type GpdFit,
  type GrimshawSolver,
  type PotResult,
  type BfResult,
} from './thresholds.js';
export { lbfgsb, type LbfgsbOptions, type LbfgsbResult } from '../../optim/lbfgsb.js';
export { evaluateDetector, fitThresholds, flatMetrics, alarmIntervals, runs, type DetectorEvaluation, type ThresholdConfig, type AnomalyInterval } from './evaluate.js';
export { fitZScore, zScoreScores, persistenceScores, type ZScoreParams } from './baselines.js';
export { cleanWithSpectralResidual, spectralResidualScores, saliencyMap, dft, type SrOptions } from './spectral_residual.js';
export { injectAnomalies, writeInjected, ANOMALY_KINDS, type AnomalyKind, type InjectedEvent, type InjectOptions, type InjectedData } from './inject.js';
export {
  fitDetector,
  scoreSeries,
  evaluateTest,
  saveDetector,
  loadDetector,
  loadReferenceWeights,
  resolveCheckpointDir,
  scaleSeries,
  targetNames,
  type Detector,
  type FitDetectorOptions,
  type SeriesScores,
  type TestEvaluation,
} from './detector.js';
export { mtadgatSystem, WSN, CHICAGO_CSV } from './cli.js';

/** Train a detector on `data.train` (scaling, optional SR cleaning, model, training scores). */
export function trainMtadGat(data: AnomalyData, opts: FitDetectorOptions = {}): Promise<Detector> {
  return fitDetector(data, opts);
}

/**
 * Evaluate on a labelled raw test series: model, z-score and persistence detectors, each with
 * ROC-AUC, PR-AUC and epsilon / POT (fitted on training scores) / best-F1 (oracle) thresholds,
 * point-adjusted and raw.
 */
export function evaluateMtadGat(det: Detector, test: Series, labels: Float32Array, score: Partial<ScoreConfig> = {}, potSolver: ThresholdConfig['potSolver'] = 'reference'): TestEvaluation {
  const cfg: ScoreConfig = { ...SCORE_DEFAULTS, ...det.scoreConfig, ...score };
  return evaluateTest(det, test, labels, cfg, { level: cfg.level, q: cfg.q, dynamicPot: cfg.dynamicPot, regLevel: cfg.regLevel, potSolver });
}

/** Per-step (global) and per-feature scores of a raw series (rows lookback … end). */
export function predictMtadGat(det: Detector, series: Series, score: Partial<ScoreConfig> = {}): SeriesScores {
  return scoreSeries(det, series, { ...SCORE_DEFAULTS, ...det.scoreConfig, ...score });
}
