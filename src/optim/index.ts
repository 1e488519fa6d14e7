/** Optimisers with PyTorch's update rules, lr schedules, gradient clipping, and the L-BFGS-B port. */
export { Optimizer, SGD, Adam, AdamW, RMSprop } from './optimizers.js';
export type { ParamGroup, OptimizerParams, OptimizerState, BaseOptimizerOptions, SGDOptions, AdamOptions, RMSpropOptions, ParamState } from './optimizers.js';
export { StepLR, ExponentialLR, LinearLR, CosineWithWarmup } from './schedulers.js';
export type { Scheduler, WarmupOptions } from './schedulers.js';
export { clipGradNorm } from './clip.js';
