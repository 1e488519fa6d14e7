/**
 * PLRM — Probabilistic Label Relation Model for weak indirect supervision (Zhang et al., ICLR
 * 2022; official code JieyuZ2/wis). Programmatic API; the CLI (`sheaf plrm …`) wraps it.
 *
 * Typical use:
 *   const task = readTaskJson('task.json');
 *   const run = trainPlrm(task);                 // LRMV, ALRMV, LFPGM, PLRM (+ end model)
 *   run.scores.test?.PLRM                        // { accuracy, macroF1 }
 *   predictProba(run.models, 'PLRM', L, n)       // n × k probabilistic labels
 */
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
export { EndModel, trainEndModel, endModelProba, coveredRows, DEFAULT_END_MODEL, type EndModelOptions, type TrainedEndModel } from './end_model.js';
export { trainPlrm, analyseTask, scoreEndModel, type PlrmRun, type TrainPlrmOptions, type TaskScores } from './pipeline.js';
export { savePlrmCheckpoint, loadPlrmCheckpoint, type LoadedPlrm, type PlrmCheckpointConfig, type StoredEndModel } from './checkpoint.js';
export { generateSyntheticTask, SYNTHETIC_DEFAULTS, type SyntheticOptions } from './synthetic.js';
export { SHIPPED_TASKS_DIR } from './shipped.js';
export { plrmSystem, writeLabelsCsv, readTaskFromOptions } from './cli.js';
