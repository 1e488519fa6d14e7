/**
 * StemGNN's model and training settings. Defaults are the official code's (`main.py`,
 * `models/handler.py` of microsoft/StemGNN); the paper's variants are named options, off by default.
 */
import { UsageError } from '../../util/errors.js';

/** Architecture of one StemGNN model. */
export interface StemGNNModelConfig {
  /** N: number of series (graph nodes). */
  nodes: number;
  /** T: input window length (`window_size`, official default 12). */
  window: number;
  /** H: forecast horizon (`horizon`, official default 3). */
  horizon: number;
  /** m: width multiplier of the Spe-Seq GLUs (`multi_layer`, official default 5); GLU width is 4·m·T. */
  multiLayer: number;
  /** Dropout on the attention matrix in training (official 0.5; its CLI flag is never passed to the model). */
  dropoutRate: number;
  /** LeakyReLU slope of the attention scores (official 0.2; likewise not settable there). */
  leakyRate: number;
  /**
   * Paper variant (off in the official code): a 1-D convolution over the frequency bins in the
   * Spe-Seq cell, before the GLUs, one per branch (real, imaginary) with the 4 Chebyshev orders as
   * channels. 0 disables it; otherwise the (odd) kernel size. Adds parameters `conv_real`,
   * `conv_imag` to every block, which official weights do not have.
   */
  speSeqConvKernel: number;
  /**
   * Paper variant: the next block gets the residual X − X̂ with X̂ = backcast(Z), instead of the
   * official σ(backcast(Z) − backcast_short_cut(X)).
   */
  residualBackcast: boolean;
}

/** Official defaults of the architecture (nodes comes from the data). */
export const MODEL_DEFAULTS: Omit<StemGNNModelConfig, 'nodes'> = {
  window: 12,
  horizon: 3,
  multiLayer: 5,
  dropoutRate: 0.5,
  leakyRate: 0.2,
  speSeqConvKernel: 0,
  residualBackcast: false,
};

/** Number of StemGNN blocks: `handler.train` hard-codes 2 and `Model.forward` adds exactly two forecasts. */
export const STACK_COUNT = 2;
/** Chebyshev "orders" (`3 + 1` in the official code); order 0 is the zero matrix there. */
export const CHEB_ORDERS = 4;

/** Fill defaults and check a model config; errors are `UsageError`s naming the field. */
export function resolveModelConfig(c: Partial<StemGNNModelConfig> & { nodes: number }): StemGNNModelConfig {
  const cfg: StemGNNModelConfig = { ...MODEL_DEFAULTS, ...c };
  for (const k of ['nodes', 'window', 'horizon', 'multiLayer'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new UsageError(`StemGNN ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (!(cfg.dropoutRate >= 0 && cfg.dropoutRate < 1)) throw new UsageError(`StemGNN dropoutRate must be in [0, 1), got ${cfg.dropoutRate}`);
  if (!(cfg.leakyRate >= 0)) throw new UsageError(`StemGNN leakyRate must be ≥ 0, got ${cfg.leakyRate}`);
  const k = cfg.speSeqConvKernel;
  if (!Number.isInteger(k) || k < 0 || (k > 0 && k % 2 === 0)) {
    throw new UsageError(`StemGNN speSeqConvKernel must be 0 (off) or an odd positive integer, got ${k}`);
  }
  return cfg;
}

/** Normalisation of the series (`norm_method`). */
export type NormMethod = 'z-score' | 'min-max';

/** Training protocol. Defaults are the official ones. */
export interface StemGNNTrainConfig {
  /** Epochs (`epoch`, official 50). */
  epochs: number;
  /** Learning rate (`lr`, official 1e-4 since commit 8a4e17d; 1e-3 before). */
  lr: number;
  /** Optimiser (`optimizer`, official RMSprop with eps 1e-8, alpha 0.99; or Adam betas (0.9, 0.999)). */
  optimizer: 'rmsprop' | 'adam';
  /** lr ← lr·decayRate after every `decayEvery` epochs (ExponentialLR, official 0.5 / 5). */
  decayRate: number;
  decayEvery: number;
  /** Mini-batch size for training and evaluation (official 32; the learned graph is a batch mean). */
  batchSize: number;
  /** Chronological split weights train:valid:test (official 7:2:1). */
  splitRatios: [number, number, number];
  /** Normalisation (official z-score; min-max clips valid/test to the train range). */
  norm: NormMethod;
  /** Validate every this many epochs (official `validate_freq` 1). */
  validateEvery: number;
}

export const TRAIN_DEFAULTS: StemGNNTrainConfig = {
  epochs: 50,
  lr: 1e-4,
  optimizer: 'rmsprop',
  decayRate: 0.5,
  decayEvery: 5,
  batchSize: 32,
  splitRatios: [7, 2, 1],
  norm: 'z-score',
  validateEvery: 1,
};

/** Fill defaults and check the training protocol. */
export function resolveTrainConfig(c: Partial<StemGNNTrainConfig> = {}): StemGNNTrainConfig {
  const cfg: StemGNNTrainConfig = { ...TRAIN_DEFAULTS, ...c };
  for (const k of ['epochs', 'decayEvery', 'batchSize', 'validateEvery'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new UsageError(`StemGNN ${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (!(cfg.lr > 0)) throw new UsageError(`StemGNN lr must be > 0, got ${cfg.lr}`);
  if (!(cfg.decayRate > 0)) throw new UsageError(`StemGNN decayRate must be > 0, got ${cfg.decayRate}`);
  if (cfg.optimizer !== 'rmsprop' && cfg.optimizer !== 'adam') throw new UsageError(`StemGNN optimizer must be rmsprop or adam, got ${String(cfg.optimizer)}`);
  if (cfg.norm !== 'z-score' && cfg.norm !== 'min-max') throw new UsageError(`StemGNN norm must be z-score or min-max, got ${String(cfg.norm)}`);
  return cfg;
}
