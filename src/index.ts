/**
 * Sheaf: eight research systems in TypeScript on TensorFlow.js.
 *
 * The shared core is exported by area (`engine`, `nn`, `train`, `data`, `metrics`, `report`,
 * `registry`); each system is exported as a namespace named after it (`stemgnn`, `mtadgat`, …).
 * Call `initEngine()` once before using any model.
 */
export * as engine from './engine/index.js';
export { initEngine } from './engine/index.js';
export * as nn from './nn/index.js';
export * as train from './train/index.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export * as report from './report/index.js';
export * as registry from './node/registry/index.js';
export { Rng } from './util/random.js';
export { SheafError, UsageError, InputError } from './util/errors.js';
export type { SystemDefinition, SystemVerb, VerbContext, VerbResult } from './node/cli/system.js';
