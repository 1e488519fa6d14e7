/**
 * CG-KGR's options: the configuration (stored with the model), the data and the evaluation. The
 * defaults are those of the official `main_music.py` (Last.FM), and the four dataset
 * configurations of the official repository are presets (`--preset`); options given explicitly
 * override the preset. The official flag names (`--n-epoch`) are accepted as aliases.
 */
import { z } from 'zod';
import { UsageError } from '../../util/errors.js';
import { opt } from '../../system/schema.js';

/** Aggregator type (`--agg_type`): how a node's own vector and its neighbourhood summary combine. */
export type AggregatorType = 'concat' | 'sum' | 'ngh';
/** Collaborative guidance signal (`--repr_type`): how u' and i^UI combine into s. */
export type ReprType = 'sum' | 'mean' | 'max' | 'combine';
/**
 * What to do with a user (item) that has no training interaction once the data is split:
 * `empty` — its interactive summary is the empty attention, a zero vector (printed as a count);
 * `error` — refuse to train; `official` — attend over item (user) 0, as the official code does
 * silently.
 */
export type NoInteractionPolicy = 'empty' | 'error' | 'official';
/**
 * Which training rows the interactive summaries sample from: `all` (official: positives and the
 * file's sampled negatives alike) or `positives` (the paper's reading: observed interactions only).
 */
export type SummaryRows = 'all' | 'positives';

/** Model and training configuration. Names follow the official flags in camelCase. */
export interface CgkgrConfig {
  /** Embedding size d (`--node_dim`). */
  nodeDim: number;
  /** Number of KG layers = hops L (`--n_layer`), 1 or 2. */
  nLayer: number;
  /** Attention heads H (`--n_head`); must divide nodeDim. */
  nHead: number;
  /** Neighbours sampled per node S (`--sample_size`). */
  sampleSize: number;
  /** Rows per step (`--batch_size`); also the batch of the official per-batch AUC. */
  batchSize: number;
  aggType: AggregatorType;
  reprType: ReprType;
  /** Weight a of u' in the `combine` signal (`--a`). */
  a: number;
  /** Dropout after every aggregator's linear map (`--dropout`); the official code uses 0. */
  dropout: number;
  /** Adam learning rate (`--lr`). */
  lr: number;
  /** Weight of the L2 term (`--l2_weight`). */
  l2Weight: number;
  /** Epochs (`--n_epoch`). */
  nEpoch: number;
  /** Split policy for users/items without training rows (see {@link NoInteractionPolicy}). */
  noInteraction: NoInteractionPolicy;
  /** Rows the user/item summaries sample from (see {@link SummaryRows}); official: all. */
  summaryRows: SummaryRows;
}

/** The official defaults (`main_music.py`). */
export const DEFAULT_CONFIG: Readonly<CgkgrConfig> = Object.freeze({
  nodeDim: 16,
  nLayer: 1,
  nHead: 8,
  sampleSize: 16,
  batchSize: 64,
  aggType: 'concat',
  reprType: 'max',
  a: 0.5,
  dropout: 0,
  lr: 0.02,
  l2Weight: 1e-4,
  nEpoch: 10,
  noInteraction: 'empty',
  summaryRows: 'all',
});

/** Names of the official dataset configurations. */
export const PRESET_NAMES = ['music', 'book', 'movie', 'dianping'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * The four configurations of the official `main_*.py` (docs/research/rec_ws.md §1a table). Dianping's main
 * sets 3 epochs; its log shows 5 — we follow the main file.
 */
export const PRESETS: Readonly<Record<PresetName, Partial<CgkgrConfig>>> = Object.freeze({
  music: { nodeDim: 16, nLayer: 1, sampleSize: 16, batchSize: 64, aggType: 'concat', reprType: 'max', a: 0.5, lr: 0.02, l2Weight: 1e-4, nEpoch: 10, nHead: 8 },
  book: { nodeDim: 64, nLayer: 1, sampleSize: 8, batchSize: 1024, aggType: 'concat', reprType: 'mean', a: 0.5, lr: 2e-4, l2Weight: 2e-5, nEpoch: 10, nHead: 8 },
  movie: { nodeDim: 64, nLayer: 2, sampleSize: 8, batchSize: 4096, aggType: 'ngh', reprType: 'combine', a: 0.8, lr: 2e-3, l2Weight: 1e-7, nEpoch: 10, nHead: 8 },
  dianping: { nodeDim: 64, nLayer: 1, sampleSize: 8, batchSize: 2048, aggType: 'concat', reprType: 'combine', a: 0.4, lr: 2e-3, l2Weight: 1e-7, nEpoch: 3, nHead: 8 },
});

/** A full configuration from defaults, an optional preset, then explicit overrides; validated. */
export function resolveConfig(overrides: Partial<CgkgrConfig> = {}, preset?: PresetName): CgkgrConfig {
  const base = preset ? { ...DEFAULT_CONFIG, ...PRESETS[preset] } : { ...DEFAULT_CONFIG };
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<CgkgrConfig>;
  const cfg = { ...base, ...defined } as CgkgrConfig;
  validateConfig(cfg);
  return cfg;
}

/** Throws a UsageError naming the option for any value the model cannot run with. */
export function validateConfig(c: CgkgrConfig): void {
  const int = (name: string, v: number, min: number, max = Infinity): void => {
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`option ${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  int('nodeDim', c.nodeDim, 1);
  int('nLayer', c.nLayer, 1, 2);
  int('nHead', c.nHead, 1);
  int('sampleSize', c.sampleSize, 1);
  int('batchSize', c.batchSize, 1);
  int('nEpoch', c.nEpoch, 0);
  if (c.nodeDim % c.nHead !== 0) throw new UsageError(`option nHead (${c.nHead}) must divide nodeDim (${c.nodeDim}): heads are contiguous d/H chunks`);
  if (!['concat', 'sum', 'ngh'].includes(c.aggType)) throw new UsageError(`option aggType must be concat, sum or ngh, got '${c.aggType}'`);
  if (!['sum', 'mean', 'max', 'combine'].includes(c.reprType)) {
    throw new UsageError(`option reprType must be sum, mean, max or combine, got '${c.reprType}' (the official 'concat' branch raises too)`);
  }
  if (!['empty', 'error', 'official'].includes(c.noInteraction)) throw new UsageError(`option noInteraction must be empty, error or official, got '${c.noInteraction}'`);
  if (!['all', 'positives'].includes(c.summaryRows)) throw new UsageError(`option summaryRows must be all or positives, got '${c.summaryRows}'`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new UsageError(`option dropout must be in [0, 1), got ${c.dropout}`);
  if (!(c.lr > 0)) throw new UsageError(`option lr must be > 0, got ${c.lr}`);
  if (!(c.l2Weight >= 0)) throw new UsageError(`option l2Weight must be >= 0, got ${c.l2Weight}`);
  if (!Number.isFinite(c.a)) throw new UsageError(`option a must be a number, got ${c.a}`);
}

const d = DEFAULT_CONFIG;
const num = (desc: string) => opt.num().optional().describe(desc);
const int = (desc: string) => opt.int().optional().describe(desc);

/**
 * The configuration: model and training (each unset field comes from the preset, else the
 * official defaults), plus the split and the protocol options that shape training.
 */
export const configSchema = z.object({
  preset: z.enum(PRESET_NAMES).optional().describe('official configuration: music (Last.FM), book, movie (ML-20M), dianping; options given explicitly override it'),
  nodeDim: int(`embedding size d (default ${d.nodeDim})`),
  nLayer: int(`KG layers / hops, 1 or 2 (default ${d.nLayer})`),
  nHead: int(`attention heads, must divide d (default ${d.nHead})`),
  sampleSize: int(`neighbours sampled per node S (default ${d.sampleSize})`),
  batchSize: int(`rows per step, also the official per-batch AUC batch (default ${d.batchSize})`),
  aggType: z.enum(['concat', 'sum', 'ngh']).optional().describe(`aggregator (default ${d.aggType})`),
  reprType: z.enum(['sum', 'mean', 'max', 'combine']).optional().describe(`collaborative guidance signal (default ${d.reprType})`),
  a: num(`weight of u' in the combine signal (default ${d.a})`),
  dropout: num('dropout after each aggregator linear map (default 0, as official)'),
  lr: num(`Adam learning rate (default ${d.lr})`),
  l2Weight: num(`L2 weight on full embedding tables, W_R and aggregator W/b (default ${d.l2Weight})`),
  epochs: int(`epochs (default ${d.nEpoch})`).meta({ aliases: ['nEpoch'] }),
  noInteraction: z.enum(['empty', 'error', 'official']).default('empty').describe('users/items without training rows: zero summary, refuse, or attend over id 0 as the official code'),
  summaryRows: z
    .enum(['all', 'positives'])
    .default('all')
    .describe("rows the interactive summaries sample from: all train rows (official, negatives included) or positives only (the paper's reading)"),
  splitRatios: opt.ratios().default([6, 2, 2]).describe('train:eval:test weights of the random row split (official 6:2:2)'),
  splitSeed: opt.int().optional().describe('seed of the row split (default: --seed)'),
  officialTopK: z.boolean().default(true).describe('official 100-user Top-K after every epoch (per-K epoch selection)'),
  randomKg: z.boolean().default(true).describe('also train the random-KG ablation (tails permuted) — the KG must earn its place'),
});

export const evalSchema = z.object({
  fullRanking: z.boolean().default(true).describe('rank all items for every test user'),
  maxRankUsers: opt.int().min(0).default(0).describe('rank only the first N test users (0 = every test user, the protocol)'),
  split: z.enum(['test', 'eval']).default('test').describe('split whose rows are scored into predictions.csv'),
});

export type CgkgrOptions = z.output<typeof configSchema>;
export type CgkgrOptionsInput = z.input<typeof configSchema>;
export type CgkgrEvalOptions = z.output<typeof evalSchema>;

/** The model/training part of the options, with the preset and defaults filled in. */
export function modelConfigOf(o: CgkgrOptions): CgkgrConfig {
  return resolveConfig(
    {
      nodeDim: o.nodeDim,
      nLayer: o.nLayer,
      nHead: o.nHead,
      sampleSize: o.sampleSize,
      batchSize: o.batchSize,
      aggType: o.aggType,
      reprType: o.reprType,
      a: o.a,
      dropout: o.dropout,
      lr: o.lr,
      l2Weight: o.l2Weight,
      nEpoch: o.epochs,
      noInteraction: o.noInteraction,
      summaryRows: o.summaryRows,
    },
    o.preset,
  );
}

/** Options with every model field resolved (what a checkpoint stores; re-resolving changes nothing). */
export function resolvedOptions(o: CgkgrOptions, seed: number): CgkgrOptions & { splitSeed: number } {
  const c = modelConfigOf(o);
  const { nEpoch, ...rest } = c;
  return { ...o, ...rest, epochs: nEpoch, splitSeed: o.splitSeed ?? seed };
}
