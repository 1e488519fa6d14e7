/**
 * MTAD-GAT's options: one schema each for the configuration (architecture and training, stored
 * with the model), the data and the scoring/threshold settings (defaults at training,
 * overridable at `eval` and `detect`). Defaults are those of the reference re-implementation
 * ML4ITS/mtad-gat-pytorch (`args.py`), so a run with defaults can be compared with it; the
 * paper's variants (VAE reconstruction, Spectral-Residual cleaning, reconstruction-probability
 * score, γ) are switches. The reference's flag names (`--bs`, `--init-lr`) are accepted as aliases.
 */
import { z } from 'zod';
import { UsageError } from '../../util/errors.js';
import { opt, validateOptions } from '../../system/schema.js';

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

/** The shipped WSN recording in the SMD layout (data/README.md). */
export const WSN = { train: 'shipped:wsn/train.txt', test: 'shipped:wsn/test.txt', labels: 'shipped:wsn/test_label.txt' } as const;

const dim = () => opt.int().positive().nullable().default(null);

/** `0,3` → [0, 3]; empty or `all` → null (every feature). */
const targetDims = z
  .union([z.string(), z.array(z.number()), z.null()])
  .transform((v, ctx) => {
    if (v === null) return null;
    if (Array.isArray(v)) return v;
    if (v.trim() === '' || v.trim() === 'all') return null;
    const out: number[] = [];
    for (const t of v.split(',')) {
      const n = Number(t.trim());
      if (!Number.isInteger(n) || n < 0) {
        ctx.addIssue({ code: 'custom', message: `'${t}' is not a feature index (use e.g. 0,3)` });
        return z.NEVER;
      }
      out.push(n);
    }
    return out;
  })
  .meta({ kind: 'indices' });

/** Architecture (everything but the number of features, which comes from the data). */
export const architectureSchema = z.object({
  lookback: opt.int().min(2).default(100).describe('window length n'),
  targetDims: targetDims.default(null).describe('comma-separated feature indices to forecast, reconstruct and score (default all; SMAP/MSL use 0)'),
  kernelSize: opt
    .int()
    .positive()
    .refine((k) => k % 2 === 1, 'must be odd (the reference pads (k−1)/2 on both ends)')
    .default(7)
    .describe('1-D convolution kernel along time (odd)'),
  useGatv2: z.boolean().default(true).describe('GATv2 attention (--no-use-gatv2: the original GAT)'),
  featGatEmbedDim: dim().describe('feature-GAT embedding size (default n; doubled under GATv2)'),
  timeGatEmbedDim: dim().describe('time-GAT embedding size (default k; doubled under GATv2)'),
  gruNLayers: opt.int().positive().default(1).describe('GRU layers'),
  gruHidDim: opt.int().positive().default(150).describe('GRU hidden size'),
  fcNLayers: opt.int().positive().default(3).describe('forecasting MLP hidden layers (it has fc-n-layers + 1 linear layers)'),
  fcHidDim: opt.int().positive().default(150).describe('forecasting MLP width'),
  reconNLayers: opt.int().positive().default(1).describe('reconstruction GRU layers'),
  reconHidDim: opt.int().positive().default(150).describe('reconstruction GRU hidden size (VAE: hidden width)'),
  dropout: opt.num().min(0).lt(1).default(0.3).describe('dropout on attention weights, MLP activations and (multi-layer) GRUs'),
  alpha: opt.num().min(0).default(0.2).describe('LeakyReLU slope in attention'),
  decoderInput: z.enum(['reference', 'tiled']).default('reference').describe("decoder input: the reference's repeat_interleave index map, or h tiled per step"),
  recon: z.enum(['gru', 'vae']).default('gru').describe('reconstruction model: GRU decoder (reference) or VAE (paper)'),
  vaeLatentDim: dim().describe('VAE latent size (default --recon-hid-dim)'),
});

/** Training settings (the reference's train params). */
export const protocolSchema = z.object({
  epochs: opt.int().min(0).default(30).describe('training epochs'),
  batchSize: opt
    .int()
    .positive()
    .default(256)
    .describe('batch size')
    .meta({ aliases: ['bs'] }),
  lr: opt
    .num()
    .positive()
    .default(1e-3)
    .describe('Adam learning rate')
    .meta({ aliases: ['initLr'] }),
  valSplit: opt.num().min(0).lt(1).default(0.1).describe('fraction of the training windows held out for validation'),
  valMode: z.enum(['random', 'chronological']).default('random').describe('validation windows: a random subset (reference; overlapping, so leaky) or the last ones'),
  shuffleDataset: z.boolean().default(true).describe('shuffle the training windows'),
  keepBest: z.boolean().default(false).describe("keep the epoch of lowest validation loss (the reference's test always keeps the last)"),
  normalize: z.boolean().default(true).describe('min–max scale with training statistics'),
  specRes: z.boolean().default(false).describe('paper variant: clean the training series with Spectral Residual'),
  srMagWindow: opt.int().positive().default(3).describe('Spectral-Residual spectrum-average window'),
  srScoreWindow: opt.int().positive().default(40).describe('Spectral-Residual local-average window'),
  srThreshold: opt.num().positive().default(3).describe('Spectral-Residual score threshold'),
  srContext: opt.int().positive().default(5).describe('Spectral-Residual replacement context (± steps)'),
  initWeights: z.string().optional().describe('start from a reference PyTorch state dict saved as safetensors (its parameter names); with --epochs 0 it is used as is'),
});

export const configSchema = z.object({ ...architectureSchema.shape, ...protocolSchema.shape });

export const dataSchema = z.object({
  data: z
    .string()
    .default(WSN.train)
    .describe(
      'training series: SMD layout (comma-separated rows, no header) or CSV with a header; with --train-rows, the whole series (default: the shipped WSN train.txt, with its test.txt and labels)',
    ),
  test: z.string().optional().describe('test series, same columns'),
  labels: z.string().optional().describe('labels, one 0/1 per test row (per row of --data with --train-rows)'),
  trainRows: opt.int().positive().optional().describe('cut --data: rows before this are training, the rest test'),
  fillMissing: z.boolean().default(false).describe('forward/backward fill missing cells instead of failing'),
  allowConstant: z.boolean().default(false).describe('keep columns that are constant over every row'),
  dropConstant: z.boolean().default(false).describe('drop columns that are constant over every row'),
});

/** Scoring and thresholds (the reference's predictor params). */
export const scoreSchema = z.object({
  gamma: opt.num().min(0).default(1).describe('weight of the reconstruction term (reference 1; the paper tunes it, TimeEval uses 0.8)'),
  score: z.enum(['ml4its', 'paper']).default('ml4its').describe('ml4its: |ŷ−y| + γ|x̂−y|; paper: ((ŷ−y)² + γ(1−p))/(1+γ), needs --recon vae'),
  scaleScores: z.boolean().default(false).describe('per-feature robust scaling (s − median)/(1 + IQR)'),
  useMovAv: z.boolean().default(false).describe('EWM-smooth the global score'),
  movAvSpan: opt.num().min(1).nullable().default(null).describe("EWM span (default the reference's int(256·lookback·0.05))"),
  // POT level/q and epsilon reg_level: the reference's suggestions for SMD group 1, which it also uses for any data set it does not know.
  level: opt.num().gt(0).lt(1).default(0.995).describe("POT initial quantile (the reference's SMD-1 choice)"),
  q: opt.num().gt(0).lt(1).default(1e-3).describe('POT risk'),
  dynamicPot: z.boolean().default(false).describe('update the POT threshold along the test scores'),
  regLevel: z.coerce
    .number()
    .pipe(z.union([z.literal(0), z.literal(1), z.literal(2)]))
    .default(1)
    .describe('epsilon regularisation level 0, 1 or 2'),
});

export const evalSchema = z.object({
  ...scoreSchema.shape,
  potSolver: z.enum(['reference', 'exact']).default('reference').describe("Grimshaw root search: 'reference' reproduces spot.py's L-BFGS-B stopping points; 'exact' finds the true roots"),
  alarm: z.enum(['epsilon', 'pot']).default('epsilon').describe('threshold of the alarms written and plotted (the reference saves epsilon alarms)'),
});

export type MtadGatConfig = z.output<typeof configSchema>;
export type MtadGatConfigInput = z.input<typeof configSchema>;
export type MtadGatDataOptions = z.output<typeof dataSchema>;
export type MtadGatEvalOptions = z.output<typeof evalSchema>;
/** Architecture of one model: the schema's fields plus the number of input features. */
export type ModelConfig = z.output<typeof architectureSchema> & { nFeatures: number };
export type TrainConfig = z.output<typeof protocolSchema>;
export type ScoreConfig = z.output<typeof scoreSchema>;

/** The reference's defaults for everything but the data-dependent sizes. */
export const MODEL_DEFAULTS: Omit<ModelConfig, 'nFeatures'> = architectureSchema.parse({});
export const TRAIN_DEFAULTS: TrainConfig = protocolSchema.parse({});
export const SCORE_DEFAULTS: ScoreConfig = scoreSchema.parse({});

/** Fill defaults and check a model configuration; errors are UsageErrors naming the field. */
export function resolveModelConfig(c: Partial<ModelConfig> & { nFeatures: number }): ModelConfig {
  const { nFeatures, ...rest } = c;
  if (!(Number.isInteger(nFeatures) && nFeatures > 0)) throw new UsageError(`nFeatures must be a positive integer, got ${String(nFeatures)}`);
  const cfg: ModelConfig = { ...validateOptions(architectureSchema, rest, 'MTAD-GAT architecture'), nFeatures };
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

/** The architecture part of a configuration. */
export function architectureOf(c: MtadGatConfig, nFeatures: number): ModelConfig {
  const a = Object.fromEntries(Object.keys(architectureSchema.shape).map((k) => [k, c[k as keyof MtadGatConfig]]));
  return resolveModelConfig({ ...(a as Omit<ModelConfig, 'nFeatures'>), nFeatures });
}

/** The training part of a configuration. */
export function protocolOf(c: MtadGatConfig): TrainConfig {
  return Object.fromEntries(Object.keys(protocolSchema.shape).map((k) => [k, c[k as keyof MtadGatConfig]])) as TrainConfig;
}

/** The scoring part of evaluation options. */
export function scoreOf(o: Partial<ScoreConfig> & Record<string, unknown>): ScoreConfig {
  return validateOptions(
    scoreSchema,
    Object.fromEntries(
      Object.keys(scoreSchema.shape)
        .filter((k) => o[k] !== undefined)
        .map((k) => [k, o[k]]),
    ),
    'MTAD-GAT score options',
  );
}

/** A full configuration from a partial one (library calls). */
export function resolveConfig(c: MtadGatConfigInput = {}): MtadGatConfig {
  return validateOptions(configSchema, c, 'MTAD-GAT config');
}

/** Number of outputs (forecast/reconstructed features). */
export function outDim(cfg: ModelConfig): number {
  return cfg.targetDims === null ? cfg.nFeatures : cfg.targetDims.length;
}

/** The feature indices that are scored (all when targetDims is null). */
export function targetIndices(cfg: Pick<ModelConfig, 'nFeatures' | 'targetDims'>): number[] {
  return cfg.targetDims ?? Array.from({ length: cfg.nFeatures }, (_, i) => i);
}

/** Check that the paper score has the VAE it needs (the schema checks each value). */
export function checkScoreConfig(s: ScoreConfig, recon: ReconstructionKind): void {
  if (s.score === 'paper' && recon !== 'vae') {
    throw new UsageError("score 'paper' needs a reconstruction probability, which only the VAE gives: use --recon vae (or --score ml4its)");
  }
}
