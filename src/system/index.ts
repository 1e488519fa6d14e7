/** The system kit: the System interface, option schemas, shared flows, results and facades. */
export * from './types.js';
export { optionInfos, optionsHelp, optionsMarkdown, validateOptions, canonicalKeys, booleanFields, mergeSchemas, kebab, camel, opt, type OptionInfo } from './schema.js';
export { makeRunResult, splitResults, modelMetrics, RESULT_FORMAT, RESULT_VERSION, type RunResult, type SplitResult, type ScorerMetrics } from './result.js';
export { trainRun, evalRun, predictRun, saveModel, loadModel, splitTrainOptions, libraryEnv, type LoadedModel, type TrainOptions, type RunOutcome, type CheckpointExtra } from './run.js';
export { TrainedModel, type CallOptions } from './facade.js';
