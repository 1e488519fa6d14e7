/**
 * Final evaluation of a scorer on the eval and test splits, under both protocols (official
 * per-batch AUC and 100-user Top-K; global AUC and full ranking over all items for every test
 * user): CG-KGR, its random-KG ablation, and item popularity.
 */
import { sampleToTensors, disposeSampleTensors } from './sampling.js';
import { evaluateSplit, itemPopularity, modelScorers, popularityScorers, type SplitEvaluation } from './evaluate.js';
import type { PreparedData, TrainResult } from './train.js';
import type { CgkgrNet } from './model.js';

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

/** Evaluate a trained model (its kept weights and sample) on the eval and test splits. */
export function evaluateModel(
  label: string,
  model: CgkgrNet,
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
export function evaluatePopularity(
  prep: PreparedData,
  opts: { batchSize: number; officialUsers: Int32Array | null; fullRanking?: boolean; ks?: readonly number[]; maxRankUsers?: number },
): ScorerEvaluation {
  const sc = popularityScorers(itemPopularity(prep.train, prep.dataset.nItem));
  const common = { batchSize: opts.batchSize, probabilities: false, nItem: prep.dataset.nItem, nUser: prep.dataset.nUser, ks: opts.ks, maxRankUsers: opts.maxRankUsers };
  return {
    label: 'item popularity',
    eval: evaluateSplit('eval', prep.eval, sc, prep, { ...common, fullRanking: false }),
    test: evaluateSplit('test', prep.test, sc, prep, { ...common, fullRanking: opts.fullRanking !== false, officialUsers: opts.officialUsers }),
  };
}
