/**
 * `LlamaForCausalLM` (alias `CausalLM`): the decoder of ./llama.ts plus `lm_head` (or tied
 * embeddings), next-token loss with an ignore mask, token log-probabilities for scoring, and
 * generation with a KV cache — greedy or temperature / top-k sampling with a seeded `Rng`,
 * optionally restricted to an allowed token set (BSM's residue-only decoding, docs/research/sequence.md §1(e)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { Linear, type LinearLike } from '../linear.js';
import { normal } from '../init.js';
import type { Rng } from '../../util/random.js';
import { resolveLlamaConfig, type LlamaConfig, type ResolvedLlamaConfig } from './config.js';
import { KVCache, LlamaModel, type LlamaForwardOptions, type PruningMasks } from './llama.js';

export interface CausalLMLossOptions {
  /** Targets [B, T] int32 (default: the input ids). Position t is predicted from positions ≤ t − 1. */
  labels?: tf.Tensor2D;
  /** Label value that is not scored (default −100, as PyTorch / Hugging Face). */
  ignoreIndex?: number;
  /** [B, T] aligned with the labels: 1 = score this target, 0 = skip (e.g. prompt or padding). */
  lossMask?: tf.Tensor2D;
}

/**
 * Mean next-token cross-entropy of `logits` [B, T, V] against `labels` [B, T] shifted by one
 * (logits at t score the label at t + 1), over the targets not ignored — Hugging Face's
 * `LlamaForCausalLM` loss. A batch with nothing to score gives 0.
 */
export function causalLMLoss(logits: tf.Tensor3D, labels: tf.Tensor2D, opts: Omit<CausalLMLossOptions, 'labels'> = {}): tf.Scalar {
  const [B, T, V] = logits.shape;
  if (labels.shape[0] !== B || labels.shape[1] !== T) throw new Error(`causalLMLoss: labels [${labels.shape}] do not match logits [${logits.shape}]`);
  if (opts.lossMask && opts.lossMask.shape.join() !== labels.shape.join()) throw new Error(`causalLMLoss: lossMask [${opts.lossMask.shape}] must be [${B}, ${T}]`);
  const ignore = opts.ignoreIndex ?? -100;
  return tf.tidy(() => {
    if (T < 2) return tf.scalar(0);
    const n = B * (T - 1);
    const logp = tf.reshape(tf.logSoftmax(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), -1), [-1]);
    const tgt = tf.reshape(tf.slice(labels, [0, 1], [B, T - 1]), [-1]);
    let keep = tf.cast(tf.notEqual(tgt, ignore), 'float32');
    if (opts.lossMask) keep = tf.mul(keep, tf.cast(tf.notEqual(tf.reshape(tf.slice(opts.lossMask, [0, 1], [B, T - 1]), [-1]), 0), 'float32'));
    const safe = tf.where(tf.notEqual(tgt, ignore), tgt, tf.zerosLike(tgt));
    // Flat gather of the target log-probability: gather's gradient is fast on WASM, gatherND has none.
    const flat = tf.add(tf.mul(tf.range(0, n, 1, 'int32'), tf.scalar(V, 'int32')), safe) as tf.Tensor1D;
    const picked = tf.gather(logp, flat);
    const count = tf.sum(keep);
    return tf.sub(0, tf.div(tf.sum(tf.mul(picked, keep)), tf.maximum(count, 1))) as tf.Scalar;
  });
}

/**
 * Mean cross-entropy of `logits` [B, T, V] against targets already aligned with them (`targets[b, t]`
 * is the token after position t, as packed rows store them), weighted by `weights` [B, T] (0 = not
 * scored: padding, a sample's last token). Nothing scored gives 0.
 */
export function alignedLMLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, weights: tf.Tensor2D): tf.Scalar {
  const [B, T, V] = logits.shape;
  if (targets.shape.join() !== `${B},${T}` || weights.shape.join() !== `${B},${T}`) throw new Error(`alignedLMLoss: targets [${targets.shape}] and weights [${weights.shape}] must be [${B}, ${T}]`);
  return tf.tidy(() => {
    const logp = tf.reshape(tf.logSoftmax(logits, -1), [-1]);
    const flat = tf.add(tf.mul(tf.range(0, B * T, 1, 'int32'), tf.scalar(V, 'int32')), tf.reshape(targets, [-1])) as tf.Tensor1D;
    const w = tf.reshape(weights, [-1]);
    return tf.div(tf.neg(tf.sum(tf.mul(tf.gather(logp, flat), w))), tf.maximum(tf.sum(w), 1)) as tf.Scalar;
  });
}

export interface GenerateOptions {
  /** Tokens to generate per row (at most). */
  maxNewTokens: number;
  /** 'greedy' (default) or 'sample'. */
  strategy?: 'greedy' | 'sample';
  /** Sampling temperature (default 1); logits are divided by it. */
  temperature?: number;
  /** Sample only among the k most likely tokens (after the allowed-set restriction). */
  topK?: number;
  /** Only these token ids may be produced. */
  allowedTokens?: ArrayLike<number>;
  /** Random source for 'sample' (required then). */
  rng?: Rng;
  /** A row stops after producing one of these ids (it is included in the output). */
  eosTokenId?: number | number[];
  /** Pruning masks applied at every step. */
  masks?: PruningMasks;
  /** Decode incrementally with a KV cache (default true); false recomputes the whole prefix each step. */
  useCache?: boolean;
}

/**
 * Choose the next token from one row of logits (a JS array; the per-step read-back of
 * generation). Greedy takes the first maximum among the allowed ids; sampling applies the
 * temperature, keeps the top k, and draws from the softmax in float64 with `rng`.
 */
export function chooseToken(logits: ArrayLike<number>, opts: Omit<GenerateOptions, 'maxNewTokens' | 'masks' | 'useCache' | 'eosTokenId'>): number {
  const V = logits.length;
  let cand: number[];
  if (opts.allowedTokens) {
    cand = [...new Set(Array.from(opts.allowedTokens))].sort((a, b) => a - b);
    for (const t of cand) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new Error(`generate: allowed token ${t} is outside the vocabulary of ${V}`);
    if (cand.length === 0) throw new Error('generate: the allowed token set is empty');
  } else {
    cand = Array.from({ length: V }, (_, i) => i);
  }
  const strategy = opts.strategy ?? 'greedy';
  const temp = opts.temperature ?? 1;
  if (strategy === 'greedy' || temp === 0) {
    let best = cand[0]!;
    for (const t of cand) if (logits[t]! > logits[best]!) best = t;
    return best;
  }
  if (!(temp > 0)) throw new Error(`generate: temperature must be positive, got ${temp}`);
  if (!opts.rng) throw new Error("generate: strategy 'sample' needs an rng");
  if (opts.topK !== undefined) {
    if (!(Number.isInteger(opts.topK) && opts.topK > 0)) throw new Error(`generate: topK must be a positive integer, got ${opts.topK}`);
    // Stable: equal logits keep the lower id first.
    cand = [...cand].sort((a, b) => logits[b]! - logits[a]! || a - b).slice(0, opts.topK);
  }
  let max = -Infinity;
  for (const t of cand) max = Math.max(max, logits[t]! / temp);
  const p = cand.map((t) => Math.exp(logits[t]! / temp - max));
  const z = p.reduce((a, b) => a + b, 0);
  let u = opts.rng.uniform() * z;
  for (let k = 0; k < cand.length; k++) {
    u -= p[k]!;
    if (u < 0) return cand[k]!;
  }
  return cand[cand.length - 1]!;
}

/** `LlamaForCausalLM`: children `model` (LlamaModel) and `lm_head` (absent when tied). */
export class LlamaForCausalLM extends Module {
  readonly config: ResolvedLlamaConfig;
  readonly model: LlamaModel;
  readonly lmHead: LinearLike | null;

  constructor(config: LlamaConfig, rng: Rng) {
    super();
    this.config = resolveLlamaConfig(config);
    const c = this.config;
    this.model = this.module('model', new LlamaModel(c, rng));
    this.lmHead = c.tieWordEmbeddings ? null : this.module('lm_head', new Linear(c.hiddenSize, c.vocabSize, rng, { bias: false, weightInit: (r, s) => normal(r, s, 0, c.initializerRange) }));
  }

  /** Logits from final hidden states [B, T, d] → [B, T, V]. */
  logitsFrom(hidden: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      if (this.lmHead) return this.lmHead.forward(hidden) as tf.Tensor3D;
      const [B, T, d] = hidden.shape;
      return tf.reshape(tf.matMul(tf.reshape(hidden, [B * T, d]), this.model.embedTokens.weight, false, true), [B, T, this.config.vocabSize]) as tf.Tensor3D;
    });
  }

  /** ids int32 [B, T] → logits [B, T, V] (and HF-style hidden states when asked; see `LlamaModel.forward`). */
  forward(ids: tf.Tensor2D, opts: LlamaForwardOptions = {}): { logits: tf.Tensor3D; hiddenStates?: tf.Tensor3D[] } {
    const r = this.model.forward(ids, opts);
    const logits = this.logitsFrom(r.hidden);
    // The last hidden state is the same tensor as `hidden`: keep it when it is returned.
    if (!r.hiddenStates) r.hidden.dispose();
    return r.hiddenStates ? { logits, hiddenStates: r.hiddenStates } : { logits };
  }

  /** Mean next-token cross-entropy (see `causalLMLoss`). */
  loss(ids: tf.Tensor2D, opts: CausalLMLossOptions & Omit<LlamaForwardOptions, 'cache' | 'returnHiddenStates'> = {}): tf.Scalar {
    return tf.tidy(() => {
      const fwd: LlamaForwardOptions = {};
      if (opts.masks) fwd.masks = opts.masks;
      if (opts.attentionMask) fwd.attentionMask = opts.attentionMask;
      const { logits } = this.forward(ids, fwd);
      const lo: Omit<CausalLMLossOptions, 'labels'> = {};
      if (opts.ignoreIndex !== undefined) lo.ignoreIndex = opts.ignoreIndex;
      if (opts.lossMask) lo.lossMask = opts.lossMask;
      return causalLMLoss(logits, opts.labels ?? ids, lo);
    });
  }

  /** log p(ids[:, t] | ids[:, < t]) for t = 1…T−1, [B, T − 1]: sum a span of it to score a continuation. */
  tokenLogProbs(ids: tf.Tensor2D, opts: Omit<LlamaForwardOptions, 'cache' | 'returnHiddenStates'> = {}): tf.Tensor2D {
    const [B, T] = ids.shape;
    const V = this.config.vocabSize;
    return tf.tidy(() => {
      if (T < 2) return tf.zeros([B, 0]) as tf.Tensor2D;
      const { logits } = this.forward(ids, opts);
      const logp = tf.reshape(tf.logSoftmax(tf.slice(logits, [0, 0, 0], [B, T - 1, V]), -1), [-1]);
      const tgt = tf.reshape(tf.slice(ids, [0, 1], [B, T - 1]), [-1]);
      const flat = tf.add(tf.mul(tf.range(0, B * (T - 1), 1, 'int32'), tf.scalar(V, 'int32')), tgt) as tf.Tensor1D;
      return tf.reshape(tf.gather(logp, flat), [B, T - 1]) as tf.Tensor2D;
    });
  }

  /**
   * Continue each prompt row (all of the same length) by up to `maxNewTokens` tokens; returns the
   * new tokens per row (a row ends after its first eos token). With the KV cache, the prompt is
   * run once and each step feeds only the last token.
   */
  generate(prompts: number[][], opts: GenerateOptions): number[][] {
    const B = prompts.length;
    if (B === 0) return [];
    const T0 = prompts[0]!.length;
    if (T0 === 0 || prompts.some((p) => p.length !== T0)) throw new Error('generate: prompts must be non-empty and of equal length');
    if (!(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens >= 0)) throw new Error(`generate: maxNewTokens must be a non-negative integer, got ${opts.maxNewTokens}`);
    const eos = new Set(opts.eosTokenId === undefined ? [] : Array.isArray(opts.eosTokenId) ? opts.eosTokenId : [opts.eosTokenId]);
    const useCache = opts.useCache ?? true;
    const cache = useCache ? new KVCache(this.config.numHiddenLayers) : null;
    const out: number[][] = prompts.map(() => []);
    const done = new Array<boolean>(B).fill(false);
    const seqs = prompts.map((p) => [...p]);
    try {
      let feed = seqs.map((s) => [...s]);
      for (let step = 0; step < opts.maxNewTokens; step++) {
        const last = tf.tidy(() => {
          const ids = tf.tensor2d(feed, [B, feed[0]!.length], 'int32');
          const fwd: LlamaForwardOptions = {};
          if (cache) fwd.cache = cache;
          if (opts.masks) fwd.masks = opts.masks;
          const { logits } = this.forward(ids, fwd);
          const [, T, V] = logits.shape;
          return tf.reshape(tf.slice(logits, [0, T - 1, 0], [B, 1, V]), [B, V]);
        });
        const rows = last.arraySync() as number[][];
        last.dispose();
        for (let b = 0; b < B; b++) {
          if (done[b]) {
            seqs[b]!.push(seqs[b]![seqs[b]!.length - 1]!);
            continue;
          }
          const t = chooseToken(rows[b]!, opts);
          out[b]!.push(t);
          seqs[b]!.push(t);
          if (eos.has(t)) done[b] = true;
        }
        if (done.every(Boolean)) break;
        feed = cache ? seqs.map((s) => [s[s.length - 1]!]) : seqs.map((s) => [...s]);
      }
    } finally {
      cache?.dispose();
    }
    return out;
  }

  /**
   * Load a Hugging Face `LlamaForCausalLM` state dict (tensors by HF name). Drops the
   * non-learned `rotary_emb.inv_freq` buffers older checkpoints carry and, when the embeddings
   * are tied, the duplicate `lm_head.weight`; then loads strictly.
   */
  loadHFStateDict(dict: Map<string, tf.Tensor> | Record<string, tf.Tensor>): void {
    const src = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const kept = new Map<string, tf.Tensor>();
    for (const [k, v] of src) {
      if (k.endsWith('rotary_emb.inv_freq')) continue;
      if (this.config.tieWordEmbeddings && k === 'lm_head.weight') continue;
      kept.set(k, v);
    }
    this.loadStateDict(kept);
  }
}

export { LlamaForCausalLM as CausalLM };
