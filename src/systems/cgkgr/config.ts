/**
 * CG-KGR hyper-parameters: the defaults are those of the official `main_music.py` (Last.FM), and
 * the four dataset configurations of the official repository are presets (rec_ws.md §1a).
 */
import { UsageError } from '../../util/errors.js';

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
 * The four configurations of the official `main_*.py` (rec_ws.md §1a table). Dianping's main
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
