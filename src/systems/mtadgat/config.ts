/**
 * MTAD-GAT configuration. Defaults are those of the reference re-implementation
 * ML4ITS/mtad-gat-pytorch (`args.py`), so a run with defaults can be compared with it; the
 * paper's variants (VAE reconstruction, Spectral-Residual cleaning, reconstruction-probability
 * score, γ) are switches. Field names follow `args.py` in camelCase (`lookback`, `bs`, `initLr`).
 */
import { UsageError } from '../../util/errors.js';

/** How the reconstruction decoder receives the GRU's last hidden state h (b, H). */
export type DecoderInput =
  /** The reference's `h.repeat_interleave(n, dim=1).view(b, n, H)`: row t holds h[⌊(H·t + j)/n⌋], j = 0…H−1. */
  | 'reference'
  /** The evidently intended version: h itself at every one of the n steps. */
  | 'tiled';

/** The reconstruction model. */
export type ReconstructionKind =
  /** ML4ITS: GRU decoder + linear layer, trained with √MSE. */
  | 'gru'
  /** The paper: a VAE on h with a Gaussian decoder over the window, trained with NLL + KL. */
  | 'vae';

/** The anomaly score of one timestamp and feature. */
export type ScoreKind =
  /** ML4ITS: |ŷ − y| + γ·|x̂ − y|. */
  | 'ml4its'
  /** The paper: ((ŷ − y)² + γ·(1 − p)) / (1 + γ), p = reconstruction probability (needs `recon: 'vae'`). */
  | 'paper';

/** Architecture of one MTAD-GAT model (everything needed to rebuild it from a checkpoint). */
export interface ModelConfig {
  /** k: number of input features. */
  nFeatures: number;
  /** n: window length (reference `--lookback`, default 100). */
  lookback: number;
  /** Indices of the features that are forecast, reconstructed and scored; null = all (SMD). */
  targetDims: number[] | null;
  /** Kernel of the 1-D convolution along time (odd). Default 7. */
  kernelSize: number;
  /** GATv2 attention (default, as the reference) or the original GAT form. */
  useGatv2: boolean;
  /** Embedding size of the feature-oriented GAT's linear layer; null = n (doubled under GATv2). */
  featGatEmbedDim: number | null;
  /** Embedding size of the time-oriented GAT's linear layer; null = k (doubled under GATv2). */
  timeGatEmbedDim: number | null;
  gruNLayers: number;
  gruHidDim: number;
  /** Hidden layers of the forecasting MLP; the MLP has fcNLayers + 1 linear layers. */
  fcNLayers: number;
  fcHidDim: number;
  reconNLayers: number;
  reconHidDim: number;
  /** Dropout on attention weights, MLP activations and (multi-layer) GRUs. */
  dropout: number;
  /** Negative slope of the LeakyReLU in attention. */
  alpha: number;
  decoderInput: DecoderInput;
  recon: ReconstructionKind;
  /** Latent size of the VAE (paper variant); null = reconHidDim. */
  vaeLatentDim: number | null;
}

/** The reference's defaults for everything but the data-dependent sizes. */
export const MODEL_DEFAULTS: Omit<ModelConfig, 'nFeatures'> = {
  lookback: 100,
  targetDims: null,
  kernelSize: 7,
  useGatv2: true,
  featGatEmbedDim: null,
  timeGatEmbedDim: null,
  gruNLayers: 1,
  gruHidDim: 150,
  fcNLayers: 3,
  fcHidDim: 150,
  reconNLayers: 1,
  reconHidDim: 150,
  dropout: 0.3,
  alpha: 0.2,
  decoderInput: 'reference',
  recon: 'gru',
  vaeLatentDim: null,
};

/** Training settings (reference `args.py` train params). */
export interface TrainConfig {
  epochs: number;
  /** Batch size (reference `--bs`). */
  bs: number;
  /** Adam learning rate (reference `--init_lr`). */
  initLr: number;
  /** Fraction of the training windows held out for validation. */
  valSplit: number;
  /**
   * `random`: a random subset of the (overlapping) training windows, as the reference (leaky);
   * `chronological`: the last windows of the training series.
   */
  valMode: 'random' | 'chronological';
  /** Shuffle windows (reference `--shuffle_dataset`). */
  shuffleDataset: boolean;
  /**
   * The reference's "save best" test compares the new validation loss with itself, so it always
   * keeps the last epoch (default false = that behaviour). true keeps the epoch of lowest
   * validation loss.
   */
  keepBest: boolean;
  /** Min–max scale with training statistics (reference `--normalize`). */
  normalize: boolean;
  /** Paper: clean the training series with Spectral Residual before training. */
  specRes: boolean;
  /** Spectral-Residual settings (TimeEval's defaults). */
  srMagWindow: number;
  srScoreWindow: number;
  srThreshold: number;
  srContext: number;
}

export const TRAIN_DEFAULTS: TrainConfig = {
  epochs: 30,
  bs: 256,
  initLr: 1e-3,
  valSplit: 0.1,
  valMode: 'random',
  shuffleDataset: true,
  keepBest: false,
  normalize: true,
  specRes: false,
  srMagWindow: 3,
  srScoreWindow: 40,
  srThreshold: 3,
  srContext: 5,
};

/** Scoring and thresholding settings (reference predictor params). */
export interface ScoreConfig {
  /** Weight of the reconstruction term. Reference 1; the paper tunes it (TimeEval uses 0.8). */
  gamma: number;
  score: ScoreKind;
  /** Per-feature robust scaling (s − median) / (1 + IQR), per series (reference `--scale_scores`). */
  scaleScores: boolean;
  /** Exponentially weighted moving average of the global score (reference `--use_mov_av`). */
  useMovAv: boolean;
  /** EWM span; null = the reference's int(256 · lookback · 0.05). */
  movAvSpan: number | null;
  /** POT: probability of the initial threshold (quantile of the training scores). */
  level: number;
  /** POT: risk q. */
  q: number;
  /** POT: update the threshold along the test stream (reference `--dynamic_pot`). */
  dynamicPot: boolean;
  /** Epsilon (Hundman) regularisation level 0, 1 or 2. */
  regLevel: 0 | 1 | 2;
}

/**
 * POT level/q and epsilon reg_level: the reference's suggestions for SMD group 1, which it also
 * needs for any dataset it does not know (timeseries.md §2.5).
 */
export const SCORE_DEFAULTS: ScoreConfig = {
  gamma: 1,
  score: 'ml4its',
  scaleScores: false,
  useMovAv: false,
  movAvSpan: null,
  level: 0.995,
  q: 1e-3,
  dynamicPot: false,
  regLevel: 1,
};

/** Fill defaults and check a model configuration; errors are UsageErrors naming the field. */
export function resolveModelConfig(c: Partial<ModelConfig> & { nFeatures: number }): ModelConfig {
  const cfg: ModelConfig = { ...MODEL_DEFAULTS, ...c };
  const posInt = (name: keyof ModelConfig, v: unknown): void => {
    if (!(Number.isInteger(v) && (v as number) > 0)) throw new UsageError(`${name} must be a positive integer, got ${String(v)}`);
  };
  posInt('nFeatures', cfg.nFeatures);
  posInt('lookback', cfg.lookback);
  posInt('kernelSize', cfg.kernelSize);
  if (cfg.kernelSize % 2 !== 1) throw new UsageError(`kernelSize must be odd (the reference pads (k−1)/2 on both ends), got ${cfg.kernelSize}`);
  posInt('gruNLayers', cfg.gruNLayers);
  posInt('gruHidDim', cfg.gruHidDim);
  posInt('fcNLayers', cfg.fcNLayers);
  posInt('fcHidDim', cfg.fcHidDim);
  posInt('reconNLayers', cfg.reconNLayers);
  posInt('reconHidDim', cfg.reconHidDim);
  if (cfg.featGatEmbedDim !== null) posInt('featGatEmbedDim', cfg.featGatEmbedDim);
  if (cfg.timeGatEmbedDim !== null) posInt('timeGatEmbedDim', cfg.timeGatEmbedDim);
  if (cfg.vaeLatentDim !== null) posInt('vaeLatentDim', cfg.vaeLatentDim);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new UsageError(`dropout must be in [0, 1), got ${cfg.dropout}`);
  if (!(cfg.alpha >= 0)) throw new UsageError(`alpha must be ≥ 0, got ${cfg.alpha}`);
  if (cfg.decoderInput !== 'reference' && cfg.decoderInput !== 'tiled') throw new UsageError(`decoderInput must be 'reference' or 'tiled', got ${String(cfg.decoderInput)}`);
  if (cfg.recon !== 'gru' && cfg.recon !== 'vae') throw new UsageError(`recon must be 'gru' or 'vae', got ${String(cfg.recon)}`);
  if (cfg.targetDims !== null) {
    if (cfg.targetDims.length === 0) throw new UsageError('targetDims must list at least one feature (or be null for all)');
    const seen = new Set<number>();
    for (const d of cfg.targetDims) {
      if (!(Number.isInteger(d) && d >= 0 && d < cfg.nFeatures)) throw new UsageError(`targetDims: feature index ${d} is outside 0…${cfg.nFeatures - 1}`);
      if (seen.has(d)) throw new UsageError(`targetDims: feature index ${d} is listed twice`);
      seen.add(d);
    }
  }
  return cfg;
}

/** Number of outputs (forecast/reconstructed features). */
export function outDim(cfg: ModelConfig): number {
  return cfg.targetDims === null ? cfg.nFeatures : cfg.targetDims.length;
}

/** The feature indices that are scored (all when targetDims is null). */
export function targetIndices(cfg: Pick<ModelConfig, 'nFeatures' | 'targetDims'>): number[] {
  return cfg.targetDims ?? Array.from({ length: cfg.nFeatures }, (_, i) => i);
}

/** Check training settings. */
export function checkTrainConfig(t: TrainConfig): void {
  if (!(Number.isInteger(t.epochs) && t.epochs >= 0)) throw new UsageError(`epochs must be a non-negative integer, got ${t.epochs}`);
  if (!(Number.isInteger(t.bs) && t.bs > 0)) throw new UsageError(`bs must be a positive integer, got ${t.bs}`);
  if (!(t.initLr > 0)) throw new UsageError(`initLr must be > 0, got ${t.initLr}`);
  if (!(t.valSplit >= 0 && t.valSplit < 1)) throw new UsageError(`valSplit must be in [0, 1), got ${t.valSplit}`);
  if (!(Number.isInteger(t.srMagWindow) && t.srMagWindow > 0)) throw new UsageError(`srMagWindow must be a positive integer, got ${t.srMagWindow}`);
  if (!(Number.isInteger(t.srScoreWindow) && t.srScoreWindow > 0)) throw new UsageError(`srScoreWindow must be a positive integer, got ${t.srScoreWindow}`);
  if (!(t.srThreshold > 0)) throw new UsageError(`srThreshold must be > 0, got ${t.srThreshold}`);
  if (!(Number.isInteger(t.srContext) && t.srContext > 0)) throw new UsageError(`srContext must be a positive integer, got ${t.srContext}`);
}

/** Check scoring settings (and that the paper score has the VAE it needs). */
export function checkScoreConfig(s: ScoreConfig, recon: ReconstructionKind): void {
  if (!(s.gamma >= 0)) throw new UsageError(`gamma must be ≥ 0, got ${s.gamma}`);
  if (!(s.level > 0 && s.level < 1)) throw new UsageError(`level must be in (0, 1), got ${s.level}`);
  if (!(s.q > 0 && s.q < 1)) throw new UsageError(`q must be in (0, 1), got ${s.q}`);
  if (![0, 1, 2].includes(s.regLevel)) throw new UsageError(`regLevel must be 0, 1 or 2, got ${s.regLevel}`);
  if (s.movAvSpan !== null && !(s.movAvSpan >= 1)) throw new UsageError(`movAvSpan must be ≥ 1, got ${s.movAvSpan}`);
  if (s.score === 'paper' && recon !== 'vae') {
    throw new UsageError("score 'paper' needs a reconstruction probability, which only the VAE gives: use --recon vae (or --score ml4its)");
  }
}
