/**
 * CG-KGR (Chen et al., ICDE 2022): knowledge-aware graph attention over the item KG, steered by
 * summaries of the user's and the item's interactions, as the official TensorFlow 1 code
 * computes it.
 *
 * ```ts
 * import { CGKGR } from 'sheaf/cgkgr';
 * const data = await CGKGR.readData({ data: 'my-kgcn-folder' });   // ratings_final.txt + kg_final.txt
 * const m = await CGKGR.fit(data, { preset: 'music', epochs: 10 });
 * const r = await m.evaluate();          // global AUC + full ranking, and the official protocol, beside popularity and a random KG
 * const top = await m.recommend([0, 17], 20);
 * ```
 */
import type { z } from 'zod';
import type { Storage } from '../../io/storage.js';
import { defaultStorage } from '../../io/default.js';
import { libraryEnv } from '../../system/run.js';
import { validateOptions } from '../../system/schema.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import type { CgkgrOptions, CgkgrOptionsInput, CgkgrEvalOptions } from './config.js';
import { cgkgrSystem, dataSchema, recommendCsv, type CgkgrData, type FittedCgkgr } from './system.js';

/** One recommendation. */
export interface Recommendation {
  user: number;
  rank: number;
  item: number;
  /** Predicted σ(<u', i'>). */
  score: number;
  userId?: string;
  itemId?: string;
}

/** A trained CG-KGR with its split and neighbour sample. */
export class CGKGR extends TrainedModel<FittedCgkgr, CgkgrData> {
  /** Read a data set: KGCN files, raw CSVs with an attribute table, or the synthetic set (the CLI's data options). */
  static async readData(o: z.input<typeof dataSchema> = {}, opts: { storage?: Storage } = {}): Promise<CgkgrData> {
    const storage = opts.storage ?? defaultStorage();
    return cgkgrSystem.loadData(validateOptions(dataSchema, o, 'CG-KGR data options'), libraryEnv(storage));
  }

  /** Train (official defaults, a preset, or any option given), with the random-KG ablation unless `randomKg: false`. */
  static async fit(data: CgkgrData, config: CgkgrOptionsInput = {}, o: CallOptions & { evaluation?: Partial<CgkgrEvalOptions> } = {}): Promise<CGKGR> {
    const r = await TrainedModel.trainWith<FittedCgkgr, CgkgrData>(cgkgrSystem, data, config, o.evaluation ?? {}, o);
    return new CGKGR(cgkgrSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder (its data is re-read and checked against the recorded hashes). */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<CGKGR> {
    const r = await TrainedModel.loadWith<FittedCgkgr>(cgkgrSystem, dir, o);
    return new CGKGR(cgkgrSystem, r.model, r.model.data, r.eval);
  }

  /** The top-k items of each user (every item ranked; positives in all rows, train rows, or none excluded). */
  async recommend(users: number[], k = 20, exclude: 'all' | 'train' | 'none' = 'all'): Promise<Recommendation[]> {
    const text = await recommendCsv(this.model, users, k, exclude);
    const [head, ...lines] = text.trim().split('\n');
    const cols = head!.split(',');
    return lines.map((l) => {
      const c = l.split(',');
      const r: Recommendation = { user: Number(c[0]), rank: Number(c[1]), item: Number(c[2]), score: Number(c[3]) };
      if (cols.includes('user_id')) r.userId = c[cols.indexOf('user_id')];
      if (cols.includes('item_id')) r.itemId = c[cols.indexOf('item_id')];
      return r;
    });
  }

  override get config(): CgkgrOptions {
    return this.model.options;
  }
}

export { cgkgrSystem, dataSchema, dataSpecFrom, recommendCsv, type CgkgrData, type FittedCgkgr } from './system.js';
export { DEFAULT_CONFIG, PRESETS, PRESET_NAMES, resolveConfig, validateConfig, configSchema, evalSchema, modelConfigOf, resolvedOptions } from './config.js';
export type { CgkgrConfig, CgkgrOptions, CgkgrOptionsInput, CgkgrEvalOptions, AggregatorType, ReprType, NoInteractionPolicy, PresetName, SummaryRows } from './config.js';
export { CgkgrNet, bceWithLogits } from './model.js';
export type { CgkgrSizes, CgkgrAttention, ItemSide } from './model.js';
export { UserAggregator, EntityAggregator, multiHeadAttention, tfXavierUniform } from './aggregators.js';
export { parseRatingsFinal, parseKgFinal, readKgcnDataset, validateDataset, splitRows, takeRows, groupCsr, buildTrainGraph, buildKgAdjacency, randomizeKg, positivesByUser, csrRow } from './data.js';
export type { Interactions, KnowledgeGraph, CgkgrDataset, Csr, RowSplit, TrainGraph, KgAdjacency } from './data.js';
export { sampleNeighbours, sampleToTensors, disposeSampleTensors, coldCounts, drawPositions } from './sampling.js';
export type { NeighbourSample, SampleTensors } from './sampling.js';
export { buildKg, implicitFeedback, readTextTable, parseTextTable, kgcnFiles, parseBuckets, sortIds } from './kg_builder.js';
export type { BuildKgOptions, BuiltKg, ImplicitOptions, ImplicitData, TextTable } from './kg_builder.js';
export { syntheticDataset, SYNTHETIC_DEFAULTS } from './synthetic.js';
export type { SyntheticOptions } from './synthetic.js';
export { TOPK_KS, ctrScores, rankUsers, evaluateSplit, modelScorers, popularityScorers, itemPopularity, officialTopKUsers, usersWithPositives, itemsByUser } from './evaluate.js';
export type { CtrScores, RankingReport, SplitEvaluation, PairScorer, UserScorer, EvaluateOptions } from './evaluate.js';
export { prepareData, trainCgkgr, officialSelection } from './train.js';
export type { PreparedData, EpochRecord, OfficialSelection, TrainOptions, TrainResult } from './train.js';
export { evaluateModel, evaluatePopularity } from './experiment.js';
export type { ScorerEvaluation } from './experiment.js';
export { INSTEVAL_DIR, kgcnSpec, loadDataSpec, withHashes, checkHashes } from './datasets.js';
export type { DataSpec, IdMaps, RawBuildOptions } from './datasets.js';
export { metricsComparisons, kCurvesSection, officialSection, attentionSection, examplePair, summaryLine } from './report.js';
