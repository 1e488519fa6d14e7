/**
 * Evaluation metrics on plain JS arrays (download predictions from tensors first): forecast
 * errors (incl. StemGNN's official MAPE rule), classification, threshold-free binary scores,
 * full-ranking top-K metrics and perplexity.
 */
export type { NumericArray } from './checks.js';
export { mae, rmse, mapeStemGNN, maskedMape, evaluateForecast, type ForecastScores } from './regression.js';
export {
  accuracy,
  confusionMatrix,
  precisionRecallF1,
  type ConfusionMatrix,
  type PrfOptions,
  type Prf,
} from './classification.js';
export { rocAuc, rocCurve, averagePrecision, prAucTrapezoid } from './auc.js';
export {
  rankingMetrics,
  recallAtK,
  ndcgAtK,
  hitRatioAtK,
  type ScoreMatrix,
  type RankingInput,
  type RankingOptions,
  type RankingScores,
  type RankingResult,
} from './ranking.js';
export { perplexityFromMeanNll, perplexityFromNll } from './perplexity.js';
