/**
 * AdapterGNN's options: one schema each for the configuration (backbone, fine-tuning mode and
 * protocol, stored with the model), the data and the evaluation; and the options of `pretrain`.
 * Defaults are the official code's (`chem/finetune.py`, `chem/adapterGNN.py` of
 * Lucius-lsr/AdapterGNN; `pretrain_masking.py` of snap-stanford/pretrain-gnns, described in
 * docs/research/graph.md §1a); the official flag names are accepted as aliases.
 */
import { z } from 'zod';
import { opt, validateOptions } from '../../system/schema.js';

/** The shipped hERG set (6 192 ChEMBL molecules, `hERG` = pIC50 ≥ 5; data/README.md). */
export const HERG = 'shipped:herg/herg.csv';
/** The shipped pre-training SMILES (20 000 ChEMBL molecules, none of them in hERG). */
export const PRETRAIN_SMILES = 'shipped:chem-pretrain/smiles.csv';
/** Backbones pre-trained by `sheaf adaptergnn pretrain` on the shipped set, by `<layers>x<width>`. */
export const SHIPPED_BACKBONES: Readonly<Record<string, string>> = { '5x64': 'shipped:adaptergnn-backbone/masking-5x64' };

/** How a pre-trained GIN is fine-tuned. */
export const MODES = ['adapter', 'full', 'linear', 'lora', 'scratch'] as const;
export type TuningMode = (typeof MODES)[number];

/** The Hu et al. GIN. */
export const backboneSchema = z.object({
  numLayer: opt
    .int()
    .min(2)
    .default(5)
    .describe('GIN layers (official num_layer)')
    .meta({ aliases: ['num_layer'] }),
  embDim: opt
    .int()
    .min(1)
    .default(300)
    .describe('width of every layer (official emb_dim)')
    .meta({ aliases: ['emb_dim'] }),
  JK: z.enum(['last', 'concat', 'max', 'sum']).default('last').describe('jumping-knowledge readout over the layer outputs'),
  graphPooling: z
    .enum(['mean', 'sum', 'max', 'attention'])
    .default('mean')
    .describe('graph readout (official graph_pooling)')
    .meta({ aliases: ['graph_pooling'] }),
  dropRatio: opt
    .num()
    .min(0)
    .lt(1)
    .default(0.5)
    .describe('dropout after every layer (official dropout_ratio)')
    .meta({ aliases: ['dropout_ratio'] }),
});

export const tuningSchema = z.object({
  mode: z
    .enum(MODES)
    .default('adapter')
    .describe(
      'adapter: two parallel bottleneck adapters per layer + BatchNorms + GIN-MLP biases + head (the paper); full: every parameter; linear: the head only (frozen features); lora: rank-r LoRA on both GIN-MLP linears + BatchNorms + biases + head (the official LoRA variant); scratch: full training from random weights',
    ),
  bottleneck: opt.int().min(1).default(15).describe('adapter bottleneck width (official: 15, fixed)'),
  adapterScale: opt.num().default(0.01).describe('initial value of the learnable scalar of each adapter (official 0.01)'),
  loraRank: opt.int().min(1).default(5).describe('LoRA rank of the lora mode (official 5)'),
  pretrained: z
    .string()
    .default('auto')
    .describe(
      "backbone to start from: a checkpoint of `sheaf adaptergnn pretrain`, a safetensors file of a pretrain-gnns GNN state dict (e.g. masking.pth converted), 'auto' (the shipped backbone of this size, if one ships) or 'none'",
    )
    .meta({ aliases: ['input_model_file'] }),
});

export const protocolSchema = z.object({
  epochs: opt.int().min(0).default(100).describe('fine-tuning epochs (official epochs)'),
  batchSize: opt
    .int()
    .min(1)
    .default(32)
    .describe('molecules per batch (official batch_size)')
    .meta({ aliases: ['batch_size'] }),
  lr: opt.num().positive().default(1e-3).describe('Adam learning rate (official lr)'),
  weightDecay: opt
    .num()
    .min(0)
    .default(0)
    .describe('Adam weight decay (official decay)')
    .meta({ aliases: ['decay'] }),
  splitter: z
    .enum(['scaffold', 'random-scaffold', 'random', 'column'])
    .default('scaffold')
    .describe(
      'scaffold: the official deterministic Bemis–Murcko split (largest groups to train); random-scaffold: scaffold groups in seeded random order; random: molecules at random; column: the --split-column of the data (official --split)',
    ),
  splitRatios: opt.ratios().default([8, 1, 1]).describe('train:valid:test weights'),
});

export const configSchema = z.object({ ...backboneSchema.shape, ...tuningSchema.shape, ...protocolSchema.shape });

export const dataSchema = z.object({
  data: z
    .string()
    .default(HERG)
    .describe(
      'CSV with a SMILES column and one or more binary task columns (MoleculeNet/TDC layout; blank = missing), or an SD file (.sdf) whose data fields are the columns — default: the shipped hERG set',
    ),
  smilesColumn: z.string().default('smiles').describe('column holding the SMILES'),
  tasks: z
    .string()
    .optional()
    .describe('comma-separated task columns (default: hERG for the shipped set; else every column whose non-blank cells are all 0 or 1, or with --threshold every numeric column)'),
  threshold: opt.num().optional().describe('binarise the task columns: value ≥ threshold is positive (e.g. 5 for a pIC50 column)'),
  splitColumn: z.string().optional().describe('column naming each molecule’s split (train/valid/test) for --splitter column'),
  limit: opt.int().min(1).optional().describe('use only the first n molecules of the file (quick runs)'),
  invalid: z.enum(['error', 'skip']).default('error').describe('a SMILES RDKit cannot read or the featuriser cannot encode: stop with an error naming its line, or skip it and report the count'),
});

export const evalSchema = z.object({
  split: z.enum(['held-out', 'test', 'valid', 'train', 'all']).default('held-out').describe('splits to score: held-out = test and valid; all = every molecule of the data (an external test set)'),
  baselines: z.boolean().default(true).describe('fit the Morgan-fingerprint logistic regression on the train split and score it beside the model'),
  fpRadius: opt.int().min(0).default(2).describe('Morgan fingerprint radius of the baseline'),
  fpBits: opt.int().min(8).default(2048).describe('Morgan fingerprint length of the baseline'),
});

/** Options of `sheaf adaptergnn pretrain`. */
export const pretrainSchema = z.object({
  data: z.string().default(PRETRAIN_SMILES).describe('SMILES to pre-train on: one per line, or a CSV with a smiles column (default: the shipped 20 000 ChEMBL molecules)'),
  smilesColumn: z.string().default('smiles').describe('column holding the SMILES when --data is a CSV'),
  strategy: z.enum(['masking', 'edgepred']).default('masking').describe('attribute masking (Hu et al.: predict the type of masked atoms) or edge prediction (score bonded vs random atom pairs)'),
  numLayer: backboneSchema.shape.numLayer,
  embDim: backboneSchema.shape.embDim,
  JK: backboneSchema.shape.JK,
  dropRatio: opt
    .num()
    .min(0)
    .lt(1)
    .default(0)
    .describe('dropout in pre-training (official 0)')
    .meta({ aliases: ['dropout_ratio'] }),
  epochs: opt.int().min(0).default(100).describe('pre-training epochs (official 100)'),
  batchSize: opt
    .int()
    .min(1)
    .default(256)
    .describe('molecules per batch (official 256)')
    .meta({ aliases: ['batch_size'] }),
  lr: opt.num().positive().default(1e-3).describe('Adam learning rate'),
  maskRate: opt
    .num()
    .gt(0)
    .lt(1)
    .default(0.15)
    .describe('share of atoms masked per molecule (official mask_rate; at least one)')
    .meta({ aliases: ['mask_rate'] }),
  limit: opt.int().min(1).optional().describe('use only the first n molecules'),
  invalid: dataSchema.shape.invalid,
  out: z.string().optional().describe('folder for the backbone checkpoint (default: backbone/ in the run folder)'),
});

export type AdapterGNNConfig = z.output<typeof configSchema>;
export type AdapterGNNConfigInput = z.input<typeof configSchema>;
export type AdapterGNNDataOptions = z.output<typeof dataSchema>;
export type AdapterGNNEvalOptions = z.output<typeof evalSchema>;
export type PretrainOptions = z.output<typeof pretrainSchema>;

/** A full configuration from a partial one (library calls). */
export function resolveConfig(c: AdapterGNNConfigInput = {}): AdapterGNNConfig {
  return validateOptions(configSchema, c, 'AdapterGNN config');
}
