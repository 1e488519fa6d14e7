/**
 * One experiment on one split: CG-KGR, the same model with the KG replaced by random triples
 * (tails permuted across triples — the KG must earn its place), and item popularity, all
 * evaluated under both protocols (official per-batch AUC and 100-user Top-K; global AUC and
 * full ranking over all items for every test user).
 */
import { join } from 'node:path';
import { Rng } from '../../util/random.js';
import type { CgkgrConfig } from './config.js';
import { randomizeKg, type CgkgrDataset } from './data.js';
import { sampleToTensors, disposeSampleTensors } from './sampling.js';
import { evaluateSplit, itemPopularity, modelScorers, officialTopKUsers, popularityScorers, TOPK_KS, type SplitEvaluation } from './evaluate.js';
import { prepareData, trainCgkgr, type EpochRecord, type PreparedData, type TrainResult } from './train.js';
import type { CGKGR } from './model.js';

/** Final evaluation of one scorer. */
export interface ScorerEvaluation {
  label: string;
  eval: SplitEvaluation;
  test: SplitEvaluation;
}

export interface ModelRun {
  train: TrainResult;
  evaluation: ScorerEvaluation;
}

export interface ExperimentResult {
  dataset: string;
  seed: number;
  config: CgkgrConfig;
  prep: PreparedData;
  model: ModelRun;
  randomKg: ModelRun | null;
  popularity: ScorerEvaluation;
  /** The 100 test users of the final official Top-K (shared by all scorers). */
  officialUsers: Int32Array;
}

export interface ExperimentOptions {
  config: CgkgrConfig;
  seed: number;
  /** Seed of the row split (default: `seed`). */
  splitSeed?: number;
  splitRatios?: [number, number, number];
  /** Train the random-KG ablation too (default true: it is always reported). */
  randomKg?: boolean;
  /** Official 100-user Top-K after each epoch (default true). */
  officialTopK?: boolean;
  /** Full ranking of every test user at the end (default true). */
  fullRanking?: boolean;
  /** Rank only the first N test users (0 = all, the protocol; for quick demos). */
  maxRankUsers?: number;
  ks?: readonly number[];
  log?: (line: string) => void;
  onEpoch?: (label: string, rec: EpochRecord) => void;
  signal?: AbortSignal;
  /** Folder for resumable progress (one sub-folder per trained model). */
  progressDir?: string;
  /** Continue from the checkpoints in `progressDir`. */
  resume?: boolean;
}

/** Evaluate a trained model (its kept weights and sample) on the eval and test splits. */
export function evaluateModel(
  label: string,
  model: CGKGR,
  run: Pick<TrainResult, 'sample'>,
  prep: PreparedData,
  opts: { officialUsers: Int32Array | null; fullRanking?: boolean; ks?: readonly number[]; maxRankUsers?: number },
): ScorerEvaluation {
  const st = sampleToTensors(run.sample);
  const sc = modelScorers(model, st, prep.dataset.nItem, { batchSize: model.config.batchSize });
  try {
    const common = { batchSize: model.config.batchSize, probabilities: true, nItem: prep.dataset.nItem, nUser: prep.dataset.nUser, ks: opts.ks, maxRankUsers: opts.maxRankUsers };
    return {
      label,
      eval: evaluateSplit('eval', prep.eval, sc, prep, { ...common, fullRanking: false }),
      test: evaluateSplit('test', prep.test, sc, prep, { ...common, fullRanking: opts.fullRanking !== false, officialUsers: opts.officialUsers }),
    };
  } finally {
    sc.dispose();
    disposeSampleTensors(st);
  }
}

/** Evaluate item popularity (training positives per item) the same way. */
export function evaluatePopularity(prep: PreparedData, opts: { batchSize: number; officialUsers: Int32Array | null; fullRanking?: boolean; ks?: readonly number[]; maxRankUsers?: number }): ScorerEvaluation {
  const sc = popularityScorers(itemPopularity(prep.train, prep.dataset.nItem));
  const common = { batchSize: opts.batchSize, probabilities: false, nItem: prep.dataset.nItem, nUser: prep.dataset.nUser, ks: opts.ks, maxRankUsers: opts.maxRankUsers };
  return {
    label: 'item popularity',
    eval: evaluateSplit('eval', prep.eval, sc, prep, { ...common, fullRanking: false }),
    test: evaluateSplit('test', prep.test, sc, prep, { ...common, fullRanking: opts.fullRanking !== false, officialUsers: opts.officialUsers }),
  };
}

/** Run model, random-KG ablation and popularity on one split of `dataset`. */
export async function runExperiment(dataset: CgkgrDataset, opts: ExperimentOptions): Promise<ExperimentResult> {
  const log = opts.log ?? (() => undefined);
  const prep = prepareData(dataset, { splitSeed: opts.splitSeed ?? opts.seed, splitRatios: opts.splitRatios, summaryRows: opts.config.summaryRows });
  const cfg = opts.config;
  log(
    `${dataset.name}: ${dataset.nUser} users, ${dataset.nItem} items, ${dataset.kg.nEntity} entities, ${dataset.kg.nRelation} relations, ` +
      `${dataset.kg.heads.length} triples; rows train ${prep.train.users.length} / eval ${prep.eval.users.length} / test ${prep.test.users.length}`,
  );
  if (prep.cold.users.length + prep.cold.items.length > 0) {
    const what = cfg.noInteraction === 'official' ? 'attend over id 0 as the official code does' : 'have an empty (zero) interactive summary';
    log(`${prep.cold.users.length} users and ${prep.cold.items.length} items have no training row; with --no-interaction ${cfg.noInteraction} they ${what}`);
  }
  const ks = opts.ks ?? TOPK_KS;
  const common = { config: cfg, seed: opts.seed, officialTopK: opts.officialTopK, log, signal: opts.signal };
  const progress = (name: string) => (opts.progressDir ? { progressDir: join(opts.progressDir, name), resume: opts.resume ?? false } : {});
  const mainRun = await trainCgkgr(prep, { ...common, ...progress('model'), label: 'CG-KGR', onEpoch: (r) => opts.onEpoch?.('model', r) });
  const officialUsers = officialTopKUsers(prep.train, prep.test, 100, new Rng(opts.seed ^ 0x5eed));
  const fullRanking = opts.fullRanking;
  const maxRankUsers = opts.maxRankUsers;
  const modelEval = evaluateModel('CG-KGR', mainRun.model, mainRun, prep, { officialUsers, fullRanking, ks, maxRankUsers });
  let randomKg: ModelRun | null = null;
  if (opts.randomKg !== false && !opts.signal?.aborted) {
    const kg = randomizeKg(dataset.kg, new Rng(opts.seed ^ 0x0a5d));
    const rk = await trainCgkgr(prep, { ...common, ...progress('random-kg'), kg, label: 'random-KG', onEpoch: (r) => opts.onEpoch?.('random-KG', r) });
    randomKg = { train: rk, evaluation: evaluateModel('CG-KGR, random KG', rk.model, rk, prep, { officialUsers, fullRanking, ks, maxRankUsers }) };
    rk.model.dispose();
  }
  const popularity = evaluatePopularity(prep, { batchSize: cfg.batchSize, officialUsers, fullRanking, ks, maxRankUsers });
  return { dataset: dataset.name, seed: opts.seed, config: cfg, prep, model: { train: mainRun, evaluation: modelEval }, randomKg, popularity, officialUsers };
}

/** Free the tensors an experiment holds (the trained model). */
export function disposeExperiment(r: ExperimentResult): void {
  r.model.train.model.dispose();
}
