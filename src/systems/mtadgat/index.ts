/**
 * MTAD-GAT (Zhao et al., ICDM 2020) as the reference re-implementation ML4ITS/mtad-gat-pytorch
 * computes it, with the paper's variants as switches: score every time step and every feature of
 * a multivariate series, and say which signal caused an alarm.
 *
 * ```ts
 * import { MTADGAT, loadAnomalyData } from 'sheaf/mtadgat';
 * const data = await loadAnomalyData(storage, { data: 'train.txt', test: 'test.txt', labels: 'test_label.txt' });
 * const m = await MTADGAT.fit(data, { lookback: 50, batchSize: 64, epochs: 10 });
 * const r = await m.evaluate();                 // ROC-AUC, PR-AUC, F1 per threshold beside z-score and persistence
 * const d = m.detect(series);                   // scores, per-feature scores, alarms, intervals
 * ```
 */
import type { Storage } from '../../io/storage.js';
import type { Matrix } from '../../data/table.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import { scoreOf, type MtadGatConfig, type MtadGatConfigInput, type MtadGatEvalOptions, type ScoreConfig } from './config.js';
import type { AnomalyData } from './data.js';
import { type Detector, scoreSeries, targetNames } from './detector.js';
import { alarmIntervals, fitThresholds, type AnomalyInterval } from './evaluate.js';
import { scoreErrors } from './scores.js';
import { mtadgatSystem } from './system.js';

/** What {@link MTADGAT.detect} returns. */
export interface Detection {
  /** Global score of each scored step (rows lookback … end of the series). */
  scores: Float64Array;
  /** Per-feature scores [steps, targets] row-major. */
  featureScores: Float32Array;
  /** Names of the scored features (columns of featureScores). */
  features: string[];
  threshold: number;
  /** 0/1 per scored step. */
  alarms: Uint8Array;
  /** Contiguous alarm runs with their top contributing features. */
  intervals: AnomalyInterval[];
  /** Row of the series the first score belongs to. */
  offset: number;
}

/** A trained MTAD-GAT detector (model, scaling, training scores for thresholds, baselines). */
export class MTADGAT extends TrainedModel<Detector, AnomalyData> {
  /** Train on `data.train`; `config` may set any option (the rest are the reference's defaults). */
  static async fit(data: AnomalyData, config: MtadGatConfigInput = {}, o: CallOptions & { score?: Partial<MtadGatEvalOptions> } = {}): Promise<MTADGAT> {
    const r = await TrainedModel.trainWith<Detector, AnomalyData>(mtadgatSystem, data, config, o.score ?? {}, o);
    return new MTADGAT(mtadgatSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<MTADGAT> {
    const r = await TrainedModel.loadWith<Detector>(mtadgatSystem, dir, o);
    return new MTADGAT(mtadgatSystem, r.model, null, r.eval);
  }

  /**
   * Score a raw series (the training columns): per-step and per-feature scores, alarms at a
   * threshold fitted on the training scores (epsilon or POT) or given, and alarm intervals.
   */
  detect(series: Matrix, o: { alarm?: 'epsilon' | 'pot'; threshold?: number; score?: Partial<ScoreConfig> } = {}): Detection {
    const det = this.model;
    const n = det.model.config.lookback;
    const cfg = scoreOf({ ...det.scoreConfig, ...(o.score ?? {}) });
    const s = scoreSeries(det, series, cfg, false);
    let threshold = o.threshold;
    if (threshold === undefined) {
      const t = fitThresholds(scoreErrors(det.trainErrors, cfg, n).global, s.scores.global, { level: cfg.level, q: cfg.q, dynamicPot: cfg.dynamicPot, regLevel: cfg.regLevel });
      threshold = o.alarm === 'pot' ? t.pot.threshold : t.epsilon;
    }
    const features = targetNames(det);
    const alarms = Uint8Array.from(s.scores.global, (v) => (v > threshold! ? 1 : 0));
    return { scores: s.scores.global, featureScores: s.scores.feature, features, threshold, alarms, intervals: alarmIntervals(alarms, s.scores.global, s.scores.feature, features, n), offset: n };
  }

  override get config(): MtadGatConfig {
    return this.model.config;
  }
}

export { mtadgatSystem, CHICAGO } from './system.js';
export * from './config.js';
export { MtadGatNet, expectedParameterCount, type MtadGatOutput } from './model.js';
export { ConvLayer, FeatureAttentionLayer, TemporalAttentionLayer, GRULayer, ForecastingModel, ReconstructionModel, RNNDecoder, VaeReconstructionModel, decoderInputSequence } from './layers.js';
export { loadAnomalyData, fitMinMax, applyMinMax, selectColumns, type AnomalyData, type Series, type LoadOptions } from './data.js';
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
export { evaluateDetector, fitThresholds, flatMetrics, alarmIntervals, runs, type DetectorEvaluation, type ThresholdConfig, type AnomalyInterval } from './evaluate.js';
export { fitZScore, zScoreScores, persistenceScores, type ZScoreParams } from './baselines.js';
export { cleanWithSpectralResidual, spectralResidualScores, saliencyMap, dft, type SrOptions } from './spectral_residual.js';
export { injectAnomalies, injectedFiles, ANOMALY_KINDS, type AnomalyKind, type InjectedEvent, type InjectOptions, type InjectedData } from './inject.js';
export {
  fitDetector,
  scoreSeries,
  evaluateTest,
  saveDetector,
  loadDetector,
  legacyDetector,
  loadReferenceWeights,
  scaleSeries,
  targetNames,
  type Detector,
  type FitDetectorOptions,
  type SeriesScores,
  type TestEvaluation,
} from './detector.js';
