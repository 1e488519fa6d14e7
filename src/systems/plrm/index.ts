/**
 * PLRM — Probabilistic Label Relation Model for weak indirect supervision (Zhang et al., ICLR
 * 2022; official code JieyuZ2/wis): probabilistic labels for a k-way task from labelling
 * functions whose outputs come from other label spaces, using a graph of label relations.
 *
 * ```ts
 * import { PLRM, parseTaskJson } from 'sheaf/plrm';
 * const task = parseTaskJson(JSON.parse(text));
 * const m = await PLRM.fit(task);                  // LRMV, ALRMV, LFPGM, PLRM (+ end model)
 * const r = await m.evaluate();                    // valid/test accuracy and macro-F1, side by side
 * const p = m.label(task.splits.train!.L, task.splits.train!.n);   // n × k probabilistic labels
 * ```
 */
import type { Storage } from '../../io/storage.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import { plrmSystem as system, type FittedPlrm as Fitted, type PlrmOptionsInput as Input } from './system.js';
import { predictProba as proba, type LabelModelName as ModelName } from './label_models.js';
import type { WisTask as Task } from './task.js';

/** Fitted label models (and end model) of one task. */
export class PLRM extends TrainedModel<Fitted, Task> {
  /** Fit LFPGM and PLRM (and the majority votes and an end model) on a task. */
  static async fit(task: Task, config: Input = {}, o: CallOptions = {}): Promise<PLRM> {
    const r = await TrainedModel.trainWith<Fitted, Task>(system, task, config, {}, o);
    return new PLRM(system, r.model, task, r.eval);
  }

  /** Load a checkpoint folder or a run folder. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<PLRM> {
    const r = await TrainedModel.loadWith<Fitted>(system, dir, o);
    return new PLRM(system, r.model, null, r.eval);
  }

  /** Probabilistic labels (n × k, row-major) of ILF outputs L (n × J, -1 = abstain) from one label model. */
  label(L: Int32Array, n: number, model: ModelName = 'PLRM'): Float64Array {
    return proba(this.model.models, model, L, n);
  }
}

export {
  LabelGraph,
  RELATIONS,
  compose,
  converse,
  type Relation,
  type RelationTriple,
  type DefaultRelation,
  type RelationOrigin,
  type ExclusiveGroup,
  type LabelGraphOptions,
} from './relations.js';
export { parseTaskJson, readTaskJson, readTaskCsv, taskToJson, SPLITS, type WisTask, type TaskSplit, type SplitName, type CsvTaskInput } from './task.js';
export { checkDistinguishability, type DistinguishabilityReport } from './distinguishability.js';
export {
  buildPlrmSpec,
  buildLfpgmSpec,
  initialTheta,
  describeFactor,
  factorKey,
  CompiledPgm,
  patterns,
  MAX_LABEL_STATES,
  type Factor,
  type PgmSpec,
  type PgmKind,
  type Patterns,
} from './factor_graph.js';
export { ExactLikelihood, posterior } from './likelihood.js';
export { PcdChain } from './gibbs.js';
export { fitPgm, DEFAULT_FIT, type FitOptions, type FitResult, type FitHistoryPoint, type SelectionData } from './fit.js';
export { lrmvMap, alrmvMap, majorityVote, type VoteMap } from './majority_vote.js';
export { probsToPreds, scores, bestPermutation, permuteColumns, permutations, TIE_TOLERANCE } from './predict.js';
export {
  trainLabelModels,
  predictProba,
  evaluateLabelModels,
  evaluateTask,
  taskGraph,
  LABEL_MODELS,
  DEFAULT_CONFIG,
  type LabelModels,
  type LabelModelName,
  type FittedPgm,
  type PlrmConfig,
  type PlrmConfigInput,
  type ModelScores,
} from './label_models.js';
export { analyseIlfs, type LfAnalysis, type IlfStats } from './lf_analysis.js';
export { EndModel, trainEndModel, endModelProba, coveredRows, DEFAULT_END_MODEL, type EndModelOptions, type TrainedEndModel, type StoredEndModel } from './end_model.js';
export { trainPlrm, analyseTask, scoreEndModel, type PlrmRun, type TrainPlrmOptions, type TaskScores } from './pipeline.js';
export { generateSyntheticTask, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic.js';
export { SHIPPED_TASKS_DIR } from './shipped.js';
export { plrmSystem, readTask, labelsCsv, configSchema, dataSchema, type FittedPlrm, type PlrmOptions, type PlrmOptionsInput } from './system.js';
