/** Training: the step, the loop (`fit`, the only one) and checkpoints. */
export { trainStep } from './step.js';
export type { TrainStepOptions } from './step.js';
export {
  saveCheckpoint,
  loadCheckpoint,
  restoreCheckpoint,
  findLatestCheckpoint,
  resolveCheckpoint,
  readCheckpointInfo,
  isCheckpoint,
  checkpointTensors,
  loadWeights,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
} from './checkpoint.js';
export type { SaveCheckpointOptions, LoadedCheckpoint, CheckpointInfo } from './checkpoint.js';
export { fit, canonicalJson, firstDifference, yieldToEventLoop } from './fit.js';
export type { FitOptions, FitResult, EpochRecord, ProgressSink, FitState, StepValue } from './fit.js';
