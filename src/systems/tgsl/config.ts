/**
 * TGSL's options: the configuration (backbone, structure learner, protocol; stored with the
 * model), the data and the evaluation. Defaults are the official code's (`TGAT+TGSL/train.py`,
 * `config.py`; `GraphMixer+TGSL` with DyGLib's best GraphMixer configuration;
 * docs/research/graph.md §2a). Options left unset take the value of the `--preset` (the official
 * command of one data set and backbone); the official flag names are accepted as aliases.
 */
import { z } from 'zod';
import { opt, validateOptions } from '../../system/schema.js';
import { UsageError } from '../../util/errors.js';

export const BACKBONES = ['tgat', 'graphmixer'] as const;
export type BackboneName = (typeof BACKBONES)[number];
export const CANDIDATES = ['1st', '3rd', 'random', 'mix'] as const;
export type CandidateType = (typeof CANDIDATES)[number];
export const PRESETS = ['wikipedia', 'reddit', 'escorts'] as const;
export type PresetName = (typeof PRESETS)[number];

/** The synthetic graph `--data synthetic` generates (docs/research/graph.md §2d, the acceptance setting). */
export const SYNTHETIC = 'synthetic';

/** What the official README commands set per backbone and data set (graph.md §2a table). */
export interface Preset {
  canType: CandidateType;
  canNn: number;
  ratio: number;
  rnnLayer: number;
  coe: number;
  numNeighbors: number;
  dropout: number;
  sampling: 'uniform' | 'recent';
}

export const OFFICIAL_PRESETS: Readonly<Record<BackboneName, Readonly<Record<PresetName, Preset>>>> = {
  tgat: {
    wikipedia: { canType: '1st', canNn: 10, ratio: 0.8, rnnLayer: 3, coe: 0.2, numNeighbors: 20, dropout: 0.1, sampling: 'uniform' },
    reddit: { canType: '1st', canNn: 20, ratio: 0.4, rnnLayer: 1, coe: 0.2, numNeighbors: 20, dropout: 0.1, sampling: 'uniform' },
    escorts: { canType: '3rd', canNn: 5, ratio: 0.064, rnnLayer: 1, coe: 0.7, numNeighbors: 20, dropout: 0.1, sampling: 'uniform' },
  },
  graphmixer: {
    wikipedia: { canType: '3rd', canNn: 10, ratio: 0.008, rnnLayer: 1, coe: 0.2, numNeighbors: 30, dropout: 0.5, sampling: 'recent' },
    reddit: { canType: '1st', canNn: 20, ratio: 0.4, rnnLayer: 2, coe: 0.2, numNeighbors: 10, dropout: 0.5, sampling: 'recent' },
    escorts: { canType: '3rd', canNn: 20, ratio: 0.002, rnnLayer: 1, coe: 0.2, numNeighbors: 30, dropout: 0.5, sampling: 'recent' },
  },
};

export const configSchema = z.object({
  backbone: z.enum(BACKBONES).default('tgat').describe('temporal graph network: tgat (TGSL’s copy of TGAT) or graphmixer (DyGLib’s, as TGSL uses it)'),
  tgsl: z.boolean().default(true).describe('learn added edges (TGSL); --no-tgsl trains the backbone alone'),
  preset: z.enum(PRESETS).default('wikipedia').describe('the official command whose structure-learner settings fill the options left unset (per backbone; graph.md §2a)'),
  width: opt.int().min(2).optional().describe('width of node, edge and (TGAT) time codes; edge features are zero-padded to it (official 172; default: the data’s edge-feature width, made even)'),
  numLayers: opt
    .int()
    .min(1)
    .default(2)
    .describe('TGAT attention layers / GraphMixer mixer blocks (official n_layer 2)')
    .meta({ aliases: ['n_layer'] }),
  numHeads: opt
    .int()
    .min(1)
    .default(2)
    .describe('TGAT attention heads (official n_head 2)')
    .meta({ aliases: ['n_head'] }),
  numNeighbors: opt
    .int()
    .min(1)
    .optional()
    .describe('neighbours per node (TGAT: sampled per layer, official 20; GraphMixer: most recent tokens, 30 / Reddit 10)')
    .meta({ aliases: ['n_degree', 'num_neighbors'] }),
  dropout: opt.num().min(0).lt(1).optional().describe('dropout (TGAT 0.1; GraphMixer 0.5, DyGLib’s best configuration)'),
  sampling: z.enum(['uniform', 'recent']).optional().describe('TGAT neighbour sampling: uniform with replacement (official --uniform) or the most recent (GraphMixer always uses the most recent)'),
  findBefore: z
    .enum(['strict', 'official'])
    .default('strict')
    .describe(
      'TGAT: neighbours strictly before the query time, or the official find_before that drops the most recent one (TGAT issue #8; for parity runs); GraphMixer always searches strictly, as DyGLib',
    ),
  timeEncoding: z.enum(['tgsl', 'tgat']).default('tgsl').describe('TGAT time code: TGSL’s fixed-frequency cos + MLP (the official TGSL code), or TGAT’s learnable cos (the original TGAT)'),
  timeDim: opt
    .int()
    .min(1)
    .default(100)
    .describe('GraphMixer time-code width (DyGLib time_feat_dim)')
    .meta({ aliases: ['time_feat_dim'] }),
  timeGap: opt
    .int()
    .min(1)
    .default(2000)
    .describe('GraphMixer node encoder: neighbours averaged (DyGLib time_gap)')
    .meta({ aliases: ['time_gap'] }),
  canType: z
    .enum(CANDIDATES)
    .optional()
    .describe('candidate edges per node: 1st (sampled neighbours), 3rd (3-hop nodes), random (training nodes), mix (1st ∪ 3rd)')
    .meta({ aliases: ['can_type'] }),
  canNn: opt
    .int()
    .min(1)
    .optional()
    .describe('candidates sampled per hop (3rd: canNn³ per node)')
    .meta({ aliases: ['can_nn'] }),
  ratio: opt.num().gt(0).lte(1).optional().describe('share of the candidates kept per node: k = ⌊ratio·#candidates⌋, at least 1'),
  rnnNn: opt
    .int()
    .min(1)
    .default(20)
    .describe('training interactions sampled per node for its LSTM context (official rnn_nn)')
    .meta({ aliases: ['rnn_nn'] }),
  rnnLayer: opt
    .int()
    .min(1)
    .optional()
    .describe('LSTM layers of the context (official rnn_layer)')
    .meta({ aliases: ['rnn_layer'] }),
  coe: opt.num().min(0).optional().describe('weight of the InfoNCE term'),
  queueSize: opt
    .int()
    .min(1)
    .default(512)
    .describe('MoCo queue length (official K)')
    .meta({ aliases: ['K'] }),
  tau: opt.num().positive().default(0.1).describe('InfoNCE temperature'),
  gtau: opt.num().positive().default(1).describe('Gumbel temperature'),
  momentum: opt.num().min(0).lte(1).default(0.999).describe('EMA momentum of the key encoder (official m)'),
  epochs: opt
    .int()
    .min(0)
    .default(50)
    .describe('most epochs (official 50)')
    .meta({ aliases: ['n_epoch'] }),
  batchSize: opt
    .int()
    .min(1)
    .default(200)
    .describe('interactions per batch (official bs 200)')
    .meta({ aliases: ['bs', 'batch_size'] }),
  lr: opt.num().positive().default(1e-4).describe('Adam learning rate (official 1e-4)'),
  patience: opt.int().min(1).default(3).describe('early stopping: epochs without a relative validation-AP gain above --tolerance'),
  tolerance: opt.num().min(0).default(1e-3).describe('early stopping: relative gain that counts'),
  restore: z.enum(['best', 'official']).default('best').describe('weights tested: the best validation epoch, or as the official code (the best only when early stopping fired, else the last)'),
  dropLast: z.boolean().default(false).describe('drop the last interaction of every split as the official loops do (e_idx = min(n − 1, s + bs)); for parity runs'),
  valQuantile: opt.num().gt(0).lt(1).default(0.7).describe('validation cut: time quantile'),
  testQuantile: opt.num().gt(0).lt(1).default(0.85).describe('test cut: time quantile'),
  newNodeShare: opt.num().min(0).lt(1).default(0.1).describe('share of all nodes held out of training as new (drawn among those seen after the validation cut)'),
  newNodeDraw: z
    .enum(['official', 'sheaf'])
    .default('official')
    .describe("how the new nodes are drawn from --seed: official = Python's random.sample as the official code draws them (the same split as its run of that seed), sheaf = Sheaf's own generator"),
});

export const dataSchema = z.object({
  data: z
    .string()
    .default(SYNTHETIC)
    .describe('interactions: a JODIE CSV (user,item,timestamp,state_label,features…), a CSV with src,dst,t[,label][,features…], or synthetic (the seeded generator of `sheaf tgsl generate`)'),
  format: z.enum(['auto', 'jodie', 'edges']).default('auto').describe('file layout (auto: JODIE when the header starts with a user column or has state_label)'),
  bipartite: z.boolean().optional().describe('sources and destinations in separate id spaces (default: yes for JODIE, no for edge CSVs)'),
  syntheticEvents: opt.int().min(50).default(5000).describe('--data synthetic: interactions'),
  syntheticSeed: opt.int().min(0).default(0).describe('--data synthetic: generator seed (the run seed draws the split)'),
  syntheticFeatures: opt.int().min(1).default(32).describe('--data synthetic: edge-feature width'),
});

export const evalSchema = z.object({
  split: z.enum(['held-out', 'test', 'valid']).default('held-out').describe('sets to score: held-out = test and validation (transductive and inductive each)'),
  evalBatch: opt
    .int()
    .min(1)
    .default(200)
    .describe('interactions per scoring batch (official infer_bs 200; TGSL refines the graph per batch)')
    .meta({ aliases: ['infer_bs'] }),
  mrrNegatives: opt.int().min(0).default(10).describe('MRR: random and historical negatives per positive, each (0: no MRR)'),
  baselines: z.boolean().default(true).describe('score EdgeBank, the recency score (and, for TGSL, the backbone alone trained on the same split)'),
});

export type TGSLConfig = z.output<typeof configSchema>;
export type TGSLConfigInput = z.input<typeof configSchema>;
export type TGSLDataOptions = z.output<typeof dataSchema>;
export type TGSLEvalOptions = z.output<typeof evalSchema>;

/** A configuration with every preset-dependent option filled in. */
export interface ResolvedTGSLConfig extends Omit<TGSLConfig, 'width' | 'numNeighbors' | 'dropout' | 'sampling' | 'canType' | 'canNn' | 'ratio' | 'rnnLayer' | 'coe'> {
  width: number;
  numNeighbors: number;
  dropout: number;
  sampling: 'uniform' | 'recent';
  canType: CandidateType;
  canNn: number;
  ratio: number;
  rnnLayer: number;
  coe: number;
}

/** Candidates per node for a candidate type. */
export function candidatesPerNode(type: CandidateType, canNn: number): number {
  return type === '1st' || type === 'random' ? canNn : type === '3rd' ? canNn ** 3 : canNn + canNn ** 3;
}

/** Fill the preset's values into the unset options; `edgeDim` is the data's edge-feature width. */
export function resolveConfig(c: TGSLConfig, edgeDim: number): ResolvedTGSLConfig {
  const p = OFFICIAL_PRESETS[c.backbone][c.preset];
  const width = c.width ?? Math.max(2, edgeDim + (edgeDim % 2));
  if (width < edgeDim) throw new UsageError(`--width ${width} is narrower than the data's ${edgeDim} edge features (features are zero-padded to the width, never cut)`);
  const r: ResolvedTGSLConfig = {
    ...c,
    width,
    numNeighbors: c.numNeighbors ?? p.numNeighbors,
    dropout: c.dropout ?? p.dropout,
    sampling: c.backbone === 'graphmixer' ? 'recent' : (c.sampling ?? p.sampling),
    canType: c.canType ?? p.canType,
    canNn: c.canNn ?? p.canNn,
    ratio: c.ratio ?? p.ratio,
    rnnLayer: c.rnnLayer ?? p.rnnLayer,
    coe: c.coe ?? p.coe,
  };
  if (r.backbone === 'tgat' && (3 * width) % r.numHeads !== 0)
    throw new UsageError(`TGAT's attention width 3 × ${width} is not divisible by ${r.numHeads} heads (choose another --width or --num-heads)`);
  if (c.testQuantile <= c.valQuantile) throw new UsageError(`--test-quantile ${c.testQuantile} must be above --val-quantile ${c.valQuantile}`);
  if (r.tgsl) {
    const C = candidatesPerNode(r.canType, r.canNn);
    const k = Math.floor(r.ratio * C);
    if (k < 1) throw new UsageError(`--ratio ${r.ratio} keeps ⌊${r.ratio} × ${C}⌋ = 0 of the ${C} candidates per node; k must be at least 1 (raise --ratio or --can-nn)`);
  }
  return r;
}

/** Validate a partial configuration (library calls). */
export function parseConfig(c: TGSLConfigInput = {}): TGSLConfig {
  return validateOptions(configSchema, c, 'TGSL config');
}
