/**
 * BSM's network: a LLaMA-style decoder (RMSNorm, rotary base 1e5, SwiGLU; `src/nn/transformer`, the
 * decoder NutePrune shares) over the single-character vocabulary of `src/data/bio/tokenizer.ts`, and
 * the scoring it is used with: per-token log-probabilities of a target after a prompt, greedy or
 * sampled continuation restricted to one modality's alphabet.
 */
import * as tf from '@tensorflow/tfjs-core';
import { LlamaForCausalLM, llamaParameterCount, type LlamaConfig } from '../../nn/transformer/index.js';
import { NUCLEOTIDE_FIRST_ID, NUCLEOTIDE_LETTERS, RESIDUE_FIRST_ID, RESIDUE_LETTERS, VOCAB_SIZE } from '../../data/bio/tokenizer.js';
import type { Modality } from '../../data/bio/alphabet.js';
import { Rng } from '../../util/random.js';
import { modelShape, type BSMConfig } from './config.js';

/** The decoder configuration of a BSM configuration. */
export function llamaConfigOf(cfg: BSMConfig): LlamaConfig {
  const s = modelShape(cfg);
  return {
    vocabSize: VOCAB_SIZE,
    hiddenSize: s.hiddenSize,
    intermediateSize: s.intermediateSize,
    numHiddenLayers: s.numLayers,
    numAttentionHeads: s.numHeads,
    ropeTheta: cfg.ropeTheta,
    initializerRange: cfg.initStd ?? 1 / Math.sqrt(s.hiddenSize),
  };
}

/** A fresh decoder. */
export function buildBSM(cfg: BSMConfig, seed: number): LlamaForCausalLM {
  return new LlamaForCausalLM(llamaConfigOf(cfg), new Rng(seed));
}

/** Parameters of a configuration (without building it). */
export function bsmParameterCount(cfg: BSMConfig): number {
  return llamaParameterCount(llamaConfigOf(cfg)).total;
}

/** Token ids a modality may produce (residues for protein; A C G T N for DNA; A C G U N for RNA). */
export function alphabetIds(m: Modality): number[] {
  if (m === 'protein') return Array.from(RESIDUE_LETTERS, (_, i) => RESIDUE_FIRST_ID + i).filter((_, i) => 'BZJUOX'.indexOf(RESIDUE_LETTERS[i]!) < 0);
  const letters = m === 'dna' ? 'ACGTN' : 'ACGUN';
  return Array.from(letters, (c) => NUCLEOTIDE_FIRST_ID + NUCLEOTIDE_LETTERS.indexOf(c));
}

/**
 * Sum and mean log-probability of `target` after `prompt`, for rows of equal prompt and target
 * lengths (one forward pass per call).
 */
export function continuationLogProbs(net: LlamaForCausalLM, prompts: number[][], targets: number[][]): { sum: Float32Array; mean: Float32Array } {
  const B = prompts.length;
  if (B === 0) return { sum: new Float32Array(0), mean: new Float32Array(0) };
  const P = prompts[0]!.length;
  const Tn = targets[0]!.length;
  if (prompts.some((p) => p.length !== P) || targets.some((t) => t.length !== Tn)) throw new Error('continuationLogProbs: rows must share prompt and target lengths');
  const ids = new Int32Array(B * (P + Tn));
  for (let b = 0; b < B; b++) {
    ids.set(prompts[b]!, b * (P + Tn));
    ids.set(targets[b]!, b * (P + Tn) + P);
  }
  const lp = tf.tidy(() => {
    const x = tf.tensor2d(ids, [B, P + Tn], 'int32');
    // tokenLogProbs[t] scores ids[t + 1]: the target tokens are positions P … P + Tn − 1, i.e. columns P − 1 … P + Tn − 2.
    return tf.slice(net.tokenLogProbs(x), [0, P - 1], [B, Tn]).dataSync() as Float32Array;
  });
  const sum = new Float32Array(B);
  for (let b = 0; b < B; b++) for (let t = 0; t < Tn; t++) sum[b]! += lp[b * Tn + t]!;
  return { sum, mean: sum.map((v) => v / Math.max(1, Tn)) };
}

/** `continuationLogProbs` for rows of any lengths (grouped by length). */
export function continuationLogProbsAny(net: LlamaForCausalLM, prompts: number[][], targets: number[][], batch = 64): { sum: Float32Array; mean: Float32Array } {
  const n = prompts.length;
  const sum = new Float32Array(n);
  const mean = new Float32Array(n);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const k = `${prompts[i]!.length}:${targets[i]!.length}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(i);
  }
  for (const idx of groups.values()) {
    for (let s = 0; s < idx.length; s += batch) {
      const part = idx.slice(s, s + batch);
      const r = continuationLogProbs(
        net,
        part.map((i) => prompts[i]!),
        part.map((i) => targets[i]!),
      );
      part.forEach((i, j) => {
        sum[i] = r.sum[j]!;
        mean[i] = r.mean[j]!;
      });
    }
  }
  return { sum, mean };
}
