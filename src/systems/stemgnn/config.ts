/**
 * StemGNN's options, one schema each for the configuration (stored with the model), the data and
 * the evaluation. Defaults are the official code's (`main.py`, `models/handler.py` of
 * microsoft/StemGNN); the paper's variants are named options, off by default.
 */
import { z } from 'zod';
import { UsageError } from '../../util/errors.js';
import { opt, validateOptions } from '../../system/schema.js';

/** The shipped Chicago "L" ridership series (5 698 days × 20 stations, header row). */
export const CHICAGO = 'shipped:chicago-ridership/ridership.csv';

/** Architecture (everything but the number of series, which comes from the data). */
export const architectureSchema = z.object({
  window: opt.int().min(1).default(12).describe('input window length T (official window_size)'),
  horizon: opt.int().min(1).default(3).describe('forecast horizon H'),
  multiLayer: opt.int().min(1).default(5).describe('GLU width multiplier m (official multi_layer); the GLU width is 4·m·T'),
  attentionDropout: opt.num().min(0).lt(1).default(0.5).describe('dropout on the attention matrix in training (official: fixed 0.5; its flag never reaches the model)'),
  leakyRate: opt.num().min(0).default(0.2).describe('LeakyReLU slope of the attention scores (official: fixed 0.2)'),
  speSeqConv: opt
    .int()
    .min(0)
    .default(0)
    .refine((k) => k === 0 || k % 2 === 1, 'must be 0 (off) or odd')
    .describe('paper variant: kernel size of a 1-D convolution over the frequency bins in the Spe-Seq cell (0 = off, as the official code)'),
  residualBackcast: z.boolean().default(false).describe('paper variant: the next block gets X − backcast instead of the official sigmoid backcast'),
});

/** The training protocol. */
export const protocolSchema = z.object({
  epochs: opt.int().min(0).default(50).describe('training epochs (official epoch)'),
  lr: opt.num().positive().default(1e-4).describe('learning rate (official 1e-4 since commit 8a4e17d; 1e-3 before)'),
  optimizer: z.enum(['rmsprop', 'adam']).default('rmsprop').describe('optimiser: RMSprop (eps 1e-8, alpha 0.99) or Adam (betas 0.9, 0.999)'),
  decayRate: opt.num().positive().default(0.5).describe('lr multiplier applied every --decay-every epochs (official decay_rate)'),
  decayEvery: opt.int().min(1).default(5).describe('epochs between lr decays (official exponential_decay_step)'),
  batchSize: opt.int().min(1).default(32).describe('batch size of training and evaluation (the learned graph is a batch mean, so it is part of the protocol)'),
  splitRatios: opt.ratios().default([7, 2, 1]).describe('chronological train:valid:test weights'),
  norm: z.enum(['z-score', 'min-max']).default('z-score').describe('normalisation fitted on the train split (min-max clips valid/test to the train range)'),
  validateEvery: opt.int().min(1).default(1).describe('validate every n epochs (official validate_freq); the kept model is the one of lowest validation MAE'),
});

export const configSchema = z.object({ ...architectureSchema.shape, ...protocolSchema.shape });

export const dataSchema = z.object({
  data: z.string().default(CHICAGO).describe('T × N CSV: one row per time step, one column per series (default: the shipped Chicago ridership)'),
  header: z.enum(['auto', 'yes', 'no']).default('auto').describe('first row holds series names: auto-detect, yes, no'),
});

export const evalSchema = z.object({
  split: z.enum(['held-out', 'test', 'valid', 'train']).default('held-out').describe('splits to score: held-out = test and valid'),
  season: opt.int().min(1).default(7).describe('period of the seasonal-naive baseline (≤ window)'),
});

export type StemGNNConfig = z.output<typeof configSchema>;
/** What a caller may give: any subset, the rest defaults. */
export type StemGNNConfigInput = z.input<typeof configSchema>;
export type StemGNNDataOptions = z.output<typeof dataSchema>;
export type StemGNNEvalOptions = z.output<typeof evalSchema>;

/** The architecture of one network: the schema's fields plus the number of series. */
export type StemGNNModelConfig = z.output<typeof architectureSchema> & { nodes: number };

/** Number of StemGNN blocks: `handler.train` hard-codes 2 and `Model.forward` adds exactly two forecasts. */
export const STACK_COUNT = 2;
/** Chebyshev "orders" (`3 + 1` in the official code); order 0 is the zero matrix there. */
export const CHEB_ORDERS = 4;

/** Fill defaults and check an architecture; errors are UsageErrors naming the field. */
export function resolveModelConfig(c: Partial<StemGNNModelConfig> & { nodes: number }): StemGNNModelConfig {
  if (!Number.isInteger(c.nodes) || c.nodes < 1) throw new UsageError(`StemGNN nodes must be a positive integer, got ${c.nodes}`);
  const { nodes, ...rest } = c;
  return { ...validateOptions(architectureSchema, rest, 'StemGNN architecture'), nodes };
}

/** The architecture part of a configuration. */
export function architectureOf(c: StemGNNConfig, nodes: number): StemGNNModelConfig {
  return resolveModelConfig({
    nodes,
    window: c.window,
    horizon: c.horizon,
    multiLayer: c.multiLayer,
    attentionDropout: c.attentionDropout,
    leakyRate: c.leakyRate,
    speSeqConv: c.speSeqConv,
    residualBackcast: c.residualBackcast,
  });
}

/** A full configuration from a partial one (library calls). */
export function resolveConfig(c: StemGNNConfigInput = {}): StemGNNConfig {
  return validateOptions(configSchema, c, 'StemGNN config');
}
