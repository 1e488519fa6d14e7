/**
 * BSM's options: the model (a LLaMA-style decoder; tiny by default, the paper's 110M / 270M
 * declarable), the data recipe (corpus, schedule, windows, packing), the optimiser, and the
 * evaluation on a held-out organism. Defaults follow docs/research/sequence.md §1(e): the measured
 * configuration B (d 64, 3 layers, context 80, batch 16, 800 steps, K = 6 codons, 70 % pairs) and
 * the three-round schedule of the paper as `--schedule rounds`.
 */
import { z } from 'zod';
import { opt, validateOptions } from '../../system/schema.js';
import { UsageError } from '../../util/errors.js';

/** Model sizes: the tiny one of §1(e) and the paper's two (Table 4; FFN 4d = 3072 and ≈3840 from the parameter counts, §1(a)). */
export const SIZES = {
  tiny: { hiddenSize: 64, numLayers: 3, numHeads: 4, intermediateSize: 168 },
  '110m': { hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072 },
  '270m': { hiddenSize: 896, numLayers: 20, numHeads: 16, intermediateSize: 3840 },
} as const;
export type SizeName = keyof typeof SIZES;

/** The shipped training records (kaptive, Biopython, EMBOSS, 16S: data/README.md) and the held-out organism (C. trachomatis, r-cran-seqinr). */
export const SHIPPED_TRAIN = 'shipped:bio/train';
export const SHIPPED_HELDOUT = 'shipped:bio/heldout-ct';

export const configSchema = z.object({
  size: z.enum(['tiny', '110m', '270m']).default('tiny').describe('model size: tiny (d 64, 3 layers, 4 heads, FFN 168; §1(e)), 110m (12 L / 12 H / 768) or 270m (20 L / 16 H / 896), the paper’s'),
  hiddenSize: opt.int().min(4).optional().describe('model width d (overrides --size)'),
  numLayers: opt.int().min(1).optional().describe('decoder layers (overrides --size)'),
  numHeads: opt.int().min(1).optional().describe('attention heads (overrides --size)'),
  intermediateSize: opt.int().min(1).optional().describe('SwiGLU width (overrides --size)'),
  ropeTheta: opt.num().positive().default(1e5).describe('rotary base (BSM: 1e5)'),
  initStd: opt
    .num()
    .positive()
    .optional()
    .describe('std of the normal weight init (default 1/√d: 0.125 for the tiny model; Hugging Face LLaMA uses 0.02, with which the tiny model barely learns to translate in 800 steps)'),
  corpus: z.enum(['mix', 'uni']).default('mix').describe('mix: single-modal samples and gene–protein pairs (BSM); uni: single-modal only at the same token budget (the ablation)'),
  schedule: z
    .enum(['single', 'rounds'])
    .default('single')
    .describe(
      'single: one mixture throughout (§1(e) configuration B, warm-up + cosine); rounds: the paper’s three rounds R1 single-modal, R2 single : RefSeq : gene-related 10 : 2 : 1, R3 RefSeq : gene-related : interleaved 1 : 1 : 10, each with its own decaying rate',
    ),
  pairShare: opt.num().min(0).max(1).default(0.7).describe('--schedule single, mix: share of pair samples (the rest single-modal)'),
  dnaPairShare: opt.num().min(0).max(1).default(0.56).describe('pair samples that are DNA–protein (the rest RNA–protein)'),
  roundFractions: z.string().default('0.4,0.45,0.15').describe('--schedule rounds: the three rounds’ shares of the steps'),
  r2Mix: z.string().default('10:2:1').describe('--schedule rounds: R2 weights single : RefSeq pairs : gene-related pairs'),
  r3Mix: z.string().default('1:1:10').describe('--schedule rounds: R3 weights RefSeq pairs : gene-related pairs : interleaved documents'),
  windowCodons: opt
    .int()
    .min(0)
    .default(6)
    .describe('pairs are in-frame windows of this many codons (K); 0: whole genes (RefSeq: genomic span, spliced CDS as RNA, protein; needs a long --context), evaluated on 6-codon windows'),
  tripleShare: opt.num().min(0).max(1).default(0).describe('RefSeq samples that are DNA–RNA–protein triples (the rest pairs)'),
  singleLength: opt.int().min(0).default(0).describe('single-modal window length in letters or residues; 0: the in-frame windows of the pairs (3K nucleotides, K residues), as §1(e)'),
  steps: opt.int().min(1).default(800).describe('optimiser steps'),
  batchSize: opt.int().min(1).default(16).describe('packed rows per step'),
  context: opt.int().min(8).default(80).describe('tokens per packed row'),
  lr: opt.num().positive().default(3e-3).describe('peak learning rate (--schedule single; rounds use 3e-3→1.5e-3 | 1.5e-3→1.5e-5 | 1.5e-4→0 scaled by lr / 3e-3)'),
  warmup: opt.int().min(0).default(100).describe('--schedule single: linear warm-up steps, then cosine to --min-lr-ratio'),
  minLrRatio: opt.num().min(0).max(1).default(0.1).describe('--schedule single: final rate / peak'),
  weightDecay: opt.num().min(0).default(0.1).describe('AdamW decoupled weight decay'),
  beta2: opt.num().gt(0).lt(1).default(0.95).describe('AdamW β₂ (β₁ 0.9)'),
  clip: opt.num().min(0).default(1).describe('gradient clipping by global norm (0: none)'),
  evalEvery: opt.int().min(1).default(100).describe('steps between validation passes (held-out single-modal NLL)'),
});

export const dataSchema = z.object({
  train: z.string().default(SHIPPED_TRAIN).describe('training records: a GenBank (.gb, .gbk, .genbank) or EMBL (.embl, .dat) flat file, or a shipped set (shipped:bio/train)'),
  rna: z.string().default('shipped:bio/rrna16s.fasta').describe("extra RNA sequences (FASTA) for single-modal samples (default: the shipped 16S rRNA genes; 'none' for none)"),
  heldout: z.string().default(SHIPPED_HELDOUT).describe('held-out organism for evaluation, same formats (default: C. trachomatis, shipped:bio/heldout-ct)'),
});

export const evalSchema = z.object({
  translationWindows: opt.int().min(1).default(100).describe('held-out windows translated DNA→protein and RNA→protein (greedy, residues only)'),
  cdPositives: opt
    .int()
    .min(2)
    .default(300)
    .describe('Central-Dogma items: true pairs from distinct held-out genes (as many corrupted: half 2 substitutions, half a 1-nt deletion); 300 keeps the AUC sampling error near ±0.02'),
  shots: z.string().default('0,1,2').describe('Central-Dogma in-context demonstrations to score with (comma-separated)'),
  nllWindows: opt.int().min(1).default(100).describe('held-out protein-only and DNA-only windows for single-modal NLL'),
  baselines: z.boolean().default(true).describe('score the majority residue and the unigram letter model beside the model'),
});

export type BSMConfig = z.output<typeof configSchema>;
export type BSMConfigInput = z.input<typeof configSchema>;
export type BSMDataOptions = z.output<typeof dataSchema>;
export type BSMEvalOptions = z.output<typeof evalSchema>;

/** The decoder's shape after --size and its overrides. */
export function modelShape(c: BSMConfig): { hiddenSize: number; numLayers: number; numHeads: number; intermediateSize: number } {
  const s = SIZES[c.size];
  const shape = { hiddenSize: c.hiddenSize ?? s.hiddenSize, numLayers: c.numLayers ?? s.numLayers, numHeads: c.numHeads ?? s.numHeads, intermediateSize: c.intermediateSize ?? s.intermediateSize };
  if (shape.hiddenSize % shape.numHeads !== 0) throw new UsageError(`--hidden-size ${shape.hiddenSize} is not divisible by --num-heads ${shape.numHeads}`);
  if ((shape.hiddenSize / shape.numHeads) % 2 !== 0) throw new UsageError(`the head width ${shape.hiddenSize / shape.numHeads} must be even for rotary embeddings`);
  return shape;
}

/** Codons of the windows used for single-modal samples and evaluation (--window-codons, or 6 for whole-gene training). */
export function evalCodons(c: BSMConfig): number {
  return c.windowCodons || 6;
}

/** The round fractions of --schedule rounds. */
export function roundFractions(c: BSMConfig): [number, number, number] {
  const f = c.roundFractions.split(',').map((x) => Number(x.trim()));
  if (f.length !== 3 || f.some((x) => !Number.isFinite(x) || x < 0) || f[0]! + f[1]! + f[2]! <= 0)
    throw new UsageError(`--round-fractions '${c.roundFractions}' must be three non-negative numbers, e.g. 0.4,0.45,0.15`);
  return [f[0]!, f[1]!, f[2]!];
}

/** The weights of an `a:b:c` mix option. */
export function mixWeights(text: string, flag: string): [number, number, number] {
  const f = text.split(':').map((x) => Number(x.trim()));
  if (f.length !== 3 || f.some((x) => !Number.isFinite(x) || x < 0) || f[0]! + f[1]! + f[2]! <= 0) throw new UsageError(`${flag} '${text}' must be three non-negative weights a:b:c, e.g. 10:2:1`);
  return [f[0]!, f[1]!, f[2]!];
}

/** The shot counts of --shots. */
export function shotList(e: BSMEvalOptions): number[] {
  const s = e.shots.split(',').map((x) => Number(x.trim()));
  if (s.length === 0 || s.some((x) => !Number.isInteger(x) || x < 0 || x > 8)) throw new UsageError(`--shots '${e.shots}' must be integers 0…8, e.g. 0,1,2`);
  return [...new Set(s)].sort((a, b) => a - b);
}

/** Validate a partial configuration (library calls). */
export function parseConfig(c: BSMConfigInput = {}): BSMConfig {
  return validateOptions(configSchema, c, 'BSM config');
}
