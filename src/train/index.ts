/** Training: optimisers, lr schedules, gradient clipping, the step and loop, safetensors and checkpoints. */
export { Optimizer, SGD, Adam, AdamW, RMSprop } from '../optim/optimizers.js';
export type { ParamGroup, OptimizerParams, OptimizerState, BaseOptimizerOptions, SGDOptions, AdamOptions, RMSpropOptions, ParamState } from '../optim/optimizers.js';
export { StepLR, ExponentialLR, LinearLR, CosineWithWarmup } from '../optim/schedulers.js';
export type { Scheduler, WarmupOptions } from '../optim/schedulers.js';
export { clipGradNorm } from '../optim/clip.js';
export { trainStep } from './step.js';
export type { TrainStepOptions } from './step.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  saveSafetensors,
  loadSafetensors,
  rawToTensor,
  tensorToRaw,
  float32ToFloat16Bits,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
} from '../io/safetensors.js';
export type { SafetensorsDtype, SafetensorsData, RawTensor, EncodableTensor, SafetensorsMap } from '../io/safetensors.js';
export { saveCheckpoint, loadCheckpoint, restoreCheckpoint, findLatestCheckpoint } from './checkpoint.js';
export type { SaveCheckpointOptions, LoadedCheckpoint, CheckpointInfo } from './checkpoint.js';
export { fit } from './fit.js';
export type { FitOptions, FitResult, EpochEnd, BatchEnd, HistoryEntry } from './fit.js';
