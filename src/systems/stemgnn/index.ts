/**
 * StemGNN (Cao et al., NeurIPS 2020) as the official code computes it: forecast N related series
 * H steps ahead from a window of W steps, learning their correlation graph.
 *
 * ```ts
 * import { StemGNN, seriesTableFrom } from 'sheaf/stemgnn';
 * await initEngine();                                   // from 'sheaf'
 * const table = seriesTableFrom(rows, { names });       // or await readSeriesTable(storage, 'my.csv')
 * const m = await StemGNN.fit(table, { multiLayer: 2, lr: 1e-3, epochs: 5 });
 * const r = await m.evaluate();                         // test and valid splits beside the baselines
 * r.results[0].model.metrics.MAE;                       // test MAE (raw scale)
 * const f = await m.predict(lastRows);                  // H × N forecast after the last row
 * await m.save('my-model');  const again = await StemGNN.load('my-model');
 * ```
 */
import type { Storage } from '../../io/storage.js';
import { seriesTableFrom, type SeriesTable } from '../../data/table.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import type { StemGNNConfig, StemGNNConfigInput } from './config.js';
import { stemgnnSystem } from './system.js';
import type { FittedStemGNN } from './train.js';
import { forecastTable, type TableForecast } from './predict.js';
import { importOfficialStemGNN } from './checkpoint.js';
import { defaultStorage } from '../../io/default.js';

/** A trained StemGNN: the network, its scaler and series names, and the data it was trained on. */
export class StemGNN extends TrainedModel<FittedStemGNN, SeriesTable> {
  /** Train on a T × N table with the official protocol (any config field may be given; the rest are the official defaults). */
  static async fit(data: SeriesTable, config: StemGNNConfigInput = {}, o: CallOptions & { season?: number } = {}): Promise<StemGNN> {
    const ev = o.season !== undefined ? { season: o.season } : {};
    const r = await TrainedModel.trainWith<FittedStemGNN, SeriesTable>(stemgnnSystem, data, config, ev, o);
    return new StemGNN(stemgnnSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder written by `save` or `sheaf stemgnn train`. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<StemGNN> {
    const r = await TrainedModel.loadWith<FittedStemGNN>(stemgnnSystem, dir, o);
    return new StemGNN(stemgnnSystem, r.model, null, r.eval);
  }

  /** Weights trained by the official code (state dict as safetensors + its norm_stat.json). */
  static async importOfficial(weights: string, normStat: string, o: { storage?: Storage; series?: string[] } = {}): Promise<StemGNN> {
    const m = await importOfficialStemGNN(o.storage ?? defaultStorage(), weights, normStat, o.series);
    return new StemGNN(stemgnnSystem, m, null, {});
  }

  /**
   * Forecast the `horizon` steps after the last row of `recent` (a table, or rows of raw values
   * with at least `window` rows; missing values NaN are filled as in training).
   */
  async predict(recent: SeriesTable | ReadonlyArray<ArrayLike<number>>): Promise<TableForecast> {
    const t = Array.isArray(recent) ? seriesTableFrom(recent as ReadonlyArray<ArrayLike<number>>, { names: this.model.series }) : (recent as SeriesTable);
    return forecastTable(this.model, t);
  }

  /** The resolved configuration. */
  override get config(): StemGNNConfig {
    return this.model.config;
  }

  /** Series names, in column order. */
  get series(): string[] {
    return this.model.series;
  }
}

export { stemgnnSystem } from './system.js';
export { configSchema, dataSchema, evalSchema, architectureSchema, protocolSchema, resolveConfig, resolveModelConfig, CHICAGO, STACK_COUNT, CHEB_ORDERS } from './config.js';
export type { StemGNNConfig, StemGNNConfigInput, StemGNNModelConfig, StemGNNDataOptions, StemGNNEvalOptions } from './config.js';
export { StemGNNNet, StemGNNBlock, officialParameterCount, type StemGNNOutput } from './model.js';
export { additiveAttention, batchGraphLaplacian, chebyshevStack } from './latent-correlation.js';
export { forwardDftMatrix, hermitianInverseDftMatrix, hermitianInverseDftValues } from './spectral.js';
export { prepareSeries, type PreparedSeries, type PrepareOptions } from './data.js';
export { readSeriesTable, parseSeriesTable, seriesTableFrom, seriesNames, type SeriesTable, type HeaderMode } from '../../data/table.js';
export { lastValueForecast, seasonalNaiveForecast, windowMeanForecast, baselineForecasts, type BaselineName } from './baselines.js';
export { forecastWindows, evaluateSplit, type WindowForecasts, type SplitEvaluation } from './evaluate.js';
export { trainStemGNN, type FittedStemGNN, type TrainStemGNNOptions, type ValidScores } from './train.js';
export { saveStemGNN, loadStemGNN, legacyStemGNN, importOfficialStemGNN, inferModelConfig, officialNormStat } from './checkpoint.js';
export { forecastRaw, forecastTable, forecastCsv, type TableForecast } from './predict.js';
