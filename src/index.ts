/**
 * Sheaf: eight research systems in TypeScript on TensorFlow.js — the browser-safe core.
 *
 * The shared core by area (`engine`, `nn`, `optim`, `train`, `io`, `data`, `metrics`, `report`,
 * `system`); each system has its own entry, `sheaf/<system>` (`import { StemGNN } from
 * 'sheaf/stemgnn'`), and Node-only parts (CLI, run registry, files) are in `sheaf/node`.
 * Call `initEngine()` once before using any model.
 */
export * as engine from './engine/index.js';
export { initEngine, engineInfo } from './engine/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as train from './train/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export * as report from './report/index.js';
export * as system from './system/index.js';
export { SYSTEMS, findSystem } from './systems/index.js';
export { MemoryStorage, type Storage } from './io/storage.js';
export { defaultStorage, setDefaultStorage } from './io/default.js';
export { Rng } from './util/random.js';
export { SheafError, UsageError, InputError } from './util/errors.js';
export type { System, SystemVerb, VerbContext, VerbResult, RunEnv, Evaluation } from './system/types.js';
export type { RunResult, SplitResult } from './system/result.js';
