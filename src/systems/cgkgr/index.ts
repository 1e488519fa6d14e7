/**
 * CG-KGR (Chen et al., ICDE 2022): knowledge-aware graph attention over the item KG, steered by
 * summaries of the user's and the item's interactions. Programmatic API; the CLI verbs
 * (`sheaf cgkgr build-kg|train|eval|recommend`) are thin wrappers on it.
 */
export { DEFAULT_CONFIG, PRESETS, PRESET_NAMES, resolveConfig, validateConfig } from './config.js';
export type { CgkgrConfig, AggregatorType, ReprType, NoInteractionPolicy, PresetName, SummaryRows } from './config.js';
export { CGKGR, bceWithLogits } from './model.js';
export type { CgkgrSizes, CgkgrAttention, ItemSide } from './model.js';
export { UserAggregator, EntityAggregator, multiHeadAttention, tfXavierUniform } from './aggregators.js';
export {
  parseRatingsFinal,
  parseKgFinal,
  readKgcnDataset,
  validateDataset,
  splitRows,
  takeRows,
  groupCsr,
  buildTrainGraph,
  buildKgAdjacency,
  randomizeKg,
  positivesByUser,
  csrRow,
} from './data.js';
export type { Interactions, KnowledgeGraph, CgkgrDataset, Csr, RowSplit, TrainGraph, KgAdjacency } from './data.js';
export { sampleNeighbours, sampleToTensors, disposeSampleTensors, coldCounts, drawPositions } from './sampling.js';
export type { NeighbourSample, SampleTensors } from './sampling.js';
export { buildKg, implicitFeedback, readTextTable, parseTextTable, writeKgcnFiles, parseBuckets, sortIds } from './kg_builder.js';
export type { BuildKgOptions, BuiltKg, ImplicitOptions, ImplicitData, TextTable } from './kg_builder.js';
export { syntheticDataset, SYNTHETIC_DEFAULTS } from './synthetic.js';
export type { SyntheticOptions } from './synthetic.js';
export {
  TOPK_KS,
  ctrScores,
  rankUsers,
  evaluateSplit,
  modelScorers,
  popularityScorers,
  itemPopularity,
  officialTopKUsers,
  usersWithPositives,
  itemsByUser,
} from './evaluate.js';
export type { CtrScores, RankingReport, SplitEvaluation, PairScorer, UserScorer, EvaluateOptions } from './evaluate.js';
export { prepareData, trainCgkgr, officialSelection } from './train.js';
export type { PreparedData, EpochRecord, OfficialSelection, TrainOptions, TrainResult } from './train.js';
export { runExperiment, evaluateModel, evaluatePopularity, disposeExperiment } from './experiment.js';
export type { ExperimentResult, ExperimentOptions, ScorerEvaluation, ModelRun } from './experiment.js';
export { INSTEVAL_DIR, kgcnSpec, loadDataSpec, withHashes, checkHashes } from './datasets.js';
export type { DataSpec, IdMaps, RawBuildOptions } from './datasets.js';
export { saveCgkgrCheckpoint, loadCgkgrCheckpoint } from './checkpoint.js';
export type { CgkgrCheckpointExtra, LoadedCgkgr } from './checkpoint.js';
export { metricsComparisons, kCurvesSection, officialSection, attentionSection, examplePair, summaryLine } from './report.js';
export { cgkgrSystem, runTrain, dataSpecFrom } from './cli.js';
