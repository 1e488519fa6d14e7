/**
 * StemGNN (Cao et al., NeurIPS 2020) as the official code computes it: programmatic API. The CLI
 * verbs (`sheaf stemgnn train|eval|predict`) are thin wrappers on these.
 *
 *   const table = readSeries('my.csv');
 *   const data = prepareSeries(table, { window: 12, horizon: 3, splitRatios: [7, 2, 1], norm: 'z-score' });
 *   const { model, test } = await trainStemGNN(data, { model: { multiLayer: 2 }, train: { lr: 1e-3, epochs: 5 } });
 */
export {
  MODEL_DEFAULTS,
  TRAIN_DEFAULTS,
  STACK_COUNT,
  CHEB_ORDERS,
  resolveModelConfig,
  resolveTrainConfig,
  type StemGNNModelConfig,
  type StemGNNTrainConfig,
  type NormMethod,
} from './config.js';
export { StemGNN, StemGNNBlock, officialParameterCount, type StemGNNOutput } from './model.js';
export { additiveAttention, batchGraphLaplacian, chebyshevStack } from './latent-correlation.js';
export { forwardDftMatrix, hermitianInverseDftMatrix, hermitianInverseDftValues } from './spectral.js';
export {
  CHICAGO_CSV,
  readSeries,
  prepareSeries,
  parseSplitRatios,
  seriesNames,
  type SeriesTable,
  type PreparedSeries,
  type PrepareOptions,
  type HeaderMode,
} from './data.js';
export { lastValueForecast, seasonalNaiveForecast, windowMeanForecast, baselineForecasts, type BaselineName } from './baselines.js';
export { forecastWindows, evaluateSplit, type WindowForecasts, type SplitEvaluation } from './evaluate.js';
export { trainStemGNN, trainEpoch, type TrainStemGNNOptions, type TrainStemGNNResult, type EpochRecord } from './train.js';
export {
  saveStemGNNCheckpoint,
  loadStemGNN,
  inferModelConfig,
  officialNormStat,
  type StemGNNCheckpointConfig,
  type LoadedStemGNN,
} from './checkpoint.js';
export { forecastRaw, predictCsv, writeForecastCsv, type CsvForecast } from './predict.js';
export { stemgnnSystem } from './cli.js';
