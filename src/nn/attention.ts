import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear, type LinearLike } from './linear.js';
import { Dropout } from './dropout.js';
import { applyRotary, type Positions } from './rotary.js';
import type { Rng } from '../util/random.js';

/** Score given to masked-out pairs. Finite so a fully masked row gives a uniform row, not NaN. */
const MASKED = -1e9;

export interface MultiHeadAttentionOptions {
  /** Key/value heads for grouped-query attention (default `numHeads`); must divide `numHeads`. */
  numKeyValueHeads?: number;
  /** Per-head width (default embedDim / numHeads). */
  headDim?: number;
  /** Biases on the q/k/v projections (default true; LLaMA uses false). */
  bias?: boolean;
  /** Bias on `o_proj` (default: same as `bias`). */
  outBias?: boolean;
  /** Feature size of the key input (default embedDim), for cross-attention. */
  kdim?: number;
  /** Feature size of the value input (default kdim). */
  vdim?: number;
  /** Mask future keys (query t sees keys ≤ t, aligned at the end when S > T). Default false. */
  causal?: boolean;
  /** Dropout on the attention weights, training only (default 0). */
  dropout?: number;
  /** Rotary position embedding on q and k: true for base 10000, or its base / rotated width. */
  rotary?: boolean | { base?: number; rotaryDim?: number };
  /** Needed only when dropout > 0. */
  dropoutRng?: Rng;
  /** Initialiser of the four projection weights (default nn.Linear's). */
  weightInit?: (rng: Rng, shape: number[]) => tf.Tensor;
  /** Initialiser of their biases (default nn.Linear's). */
  biasInit?: (rng: Rng, shape: number[]) => tf.Tensor;
}

export interface AttentionInputs {
  /** Key input [B, S, kdim] (default: the query input, i.e. self-attention). */
  key?: tf.Tensor3D;
  /** Value input [B, S, vdim] (default: the key input). */
  value?: tf.Tensor3D;
  /** [B, S]; nonzero / true marks a *padding* key to ignore (PyTorch's key_padding_mask). */
  keyPaddingMask?: tf.Tensor2D;
  /** Additive score bias broadcastable to [B, H, T, S] (e.g. ALiBi or a custom mask of 0 / −1e9). */
  attnBias?: tf.Tensor;
  /** Overrides the layer's causal option for this call. */
  causal?: boolean;
  /** Query positions for rotary (default 0…T−1). */
  positions?: Positions;
  /** Key positions for rotary (default 0…S−1). */
  keyPositions?: Positions;
  /** Per-head gate [H] or [B, H] multiplied into each head's output before `o_proj` (NutePrune's head_z). */
  headMask?: tf.Tensor;
  /** Also return the attention weights [B, H, T, S] (default false). */
  returnWeights?: boolean;
  /**
   * Keys and values of the P earlier positions, [B, H_kv, P, d] each (after rotary), from an
   * earlier call's `presentKeyValue`: incremental decoding. Self-attention only. The new
   * queries and keys then sit at positions P…P+T−1 (the rotary default), causal masking sees
   * all P + T keys, and `keyPaddingMask` must cover them ([B, P + T]).
   */
  pastKeyValue?: KeyValue;
  /** Return the keys and values of all positions (past + new) as `presentKeyValue` (default false). */
  useCache?: boolean;
}

/** Cached attention keys and values, each [B, H_kv, S, d]. */
export interface KeyValue {
  key: tf.Tensor4D;
  value: tf.Tensor4D;
}

/** The result of `MultiHeadAttention.forward`. */
export interface AttentionOutput {
  output: tf.Tensor3D;
  /** [B, H, T, S] when `returnWeights`, else null. */
  weights: tf.Tensor4D | null;
  /** Keys and values [B, H_kv, P + T, d] when `useCache` (the caller owns and disposes them). */
  presentKeyValue?: KeyValue;
}

/**
 * Multi-head scaled dot-product attention with separate projections named as in LLaMA / most
 * PyTorch code: `q_proj` [H·d, E], `k_proj` / `v_proj` [H_kv·d, kdim / vdim], `o_proj` [E, H·d]
 * (nn.Linear default init). Query [B, T, E] → output [B, T, E]; weights [B, H, T, S] rows sum to 1.
 * Every head is one batched matmul; no per-head or per-position JS loop.
 */
export class MultiHeadAttention extends Module {
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly causal: boolean;
  readonly rotary: { base: number; rotaryDim: number } | null;
  // Typed structurally so a LoRA wrapper put in by `replaceChild` is a valid value.
  readonly qProj: LinearLike;
  readonly kProj: LinearLike;
  readonly vProj: LinearLike;
  readonly oProj: LinearLike;
  private readonly drop: Dropout | null;

  constructor(
    readonly embedDim: number,
    readonly numHeads: number,
    rng: Rng,
    opts: MultiHeadAttentionOptions = {},
  ) {
    super();
    this.headDim = opts.headDim ?? embedDim / numHeads;
    if (!Number.isInteger(this.headDim) || this.headDim <= 0) throw new Error(`MultiHeadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    this.numKeyValueHeads = opts.numKeyValueHeads ?? numHeads;
    if (numHeads % this.numKeyValueHeads !== 0) throw new Error(`MultiHeadAttention: numKeyValueHeads ${this.numKeyValueHeads} must divide numHeads ${numHeads}`);
    this.causal = opts.causal ?? false;
    const bias = opts.bias ?? true;
    const kdim = opts.kdim ?? embedDim;
    const vdim = opts.vdim ?? kdim;
    const inner = numHeads * this.headDim;
    const kvInner = this.numKeyValueHeads * this.headDim;
    const init = { ...(opts.weightInit ? { weightInit: opts.weightInit } : {}), ...(opts.biasInit ? { biasInit: opts.biasInit } : {}) };
    this.qProj = this.module('q_proj', new Linear(embedDim, inner, rng, { bias, ...init }));
    this.kProj = this.module('k_proj', new Linear(kdim, kvInner, rng, { bias, ...init }));
    this.vProj = this.module('v_proj', new Linear(vdim, kvInner, rng, { bias, ...init }));
    this.oProj = this.module('o_proj', new Linear(inner, embedDim, rng, { bias: opts.outBias ?? bias, ...init }));
    const rot = opts.rotary;
    if (rot) {
      const r = rot === true ? {} : rot;
      this.rotary = { base: r.base ?? 10000, rotaryDim: r.rotaryDim ?? this.headDim };
    } else {
      this.rotary = null;
    }
    if (opts.dropout && opts.dropout > 0) {
      if (!opts.dropoutRng) throw new Error('MultiHeadAttention: dropout > 0 needs dropoutRng');
      this.drop = this.module('attn_dropout', new Dropout(opts.dropout, opts.dropoutRng));
    } else {
      this.drop = null;
    }
  }

  /** Attend from `query` [B, T, E]; see `AttentionInputs` for masks, options and the KV cache. */
  forward(query: tf.Tensor3D, inputs: AttentionInputs = {}): AttentionOutput {
    const past = inputs.pastKeyValue;
    if (past && (inputs.key || inputs.value)) throw new Error('MultiHeadAttention: a key/value cache is for self-attention only');
    const key = inputs.key ?? query;
    const value = inputs.value ?? key;
    const [B, T] = query.shape;
    const Snew = key.shape[1];
    if (key.shape[0] !== B || value.shape[0] !== B || value.shape[1] !== Snew) {
      throw new Error(`MultiHeadAttention: query [${query.shape}], key [${key.shape}] and value [${value.shape}] disagree on batch or length`);
    }
    const H = this.numHeads;
    const Hkv = this.numKeyValueHeads;
    const d = this.headDim;
    const P = past ? past.key.shape[2] : 0;
    if (past && (past.key.shape[0] !== B || past.key.shape[1] !== Hkv || past.key.shape[3] !== d || past.value.shape.join() !== past.key.shape.join())) {
      throw new Error(`MultiHeadAttention: cached keys [${past.key.shape}] / values [${past.value.shape}] must be [${B}, ${Hkv}, P, ${d}]`);
    }
    const S = P + Snew;
    const causal = inputs.causal ?? this.causal;
    const kept: { weights: tf.Tensor4D | null; present?: KeyValue } = { weights: null };
    const output = tf.tidy(() => {
      // [B, L, heads·d] → [B, heads, L, d]
      const heads = (x: tf.Tensor, n: number, L: number): tf.Tensor4D => tf.transpose(tf.reshape(x, [B, L, n, d]), [0, 2, 1, 3]) as tf.Tensor4D;
      let q = heads(this.qProj.forward(query), H, T);
      let k = heads(this.kProj.forward(key), Hkv, Snew);
      let v = heads(this.vProj.forward(value), Hkv, Snew);
      if (this.rotary) {
        const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
        const o = { rotaryDim: this.rotary.rotaryDim };
        q = applyRotary(q, inputs.positions ?? range(T, P), this.rotary.base, o) as tf.Tensor4D;
        k = applyRotary(k, inputs.keyPositions ?? (inputs.positions && Snew === T ? inputs.positions : range(Snew, P)), this.rotary.base, o) as tf.Tensor4D;
      }
      if (past) {
        k = tf.concat([past.key, k], 2) as tf.Tensor4D;
        v = tf.concat([past.value, v], 2) as tf.Tensor4D;
      }
      if (inputs.useCache) kept.present = { key: tf.keep(k), value: tf.keep(v) };
      if (Hkv !== H) {
        // Grouped-query: repeat each kv head H/Hkv times (kept at rank 4 for tile's gradient).
        const rep = (x: tf.Tensor4D): tf.Tensor4D => tf.reshape(tf.tile(tf.reshape(x, [B, Hkv, 1, S * d]), [1, 1, H / Hkv, 1]), [B, H, S, d]) as tf.Tensor4D;
        k = rep(k);
        v = rep(v);
      }
      const scores = tf.mul(tf.matMul(tf.reshape(q, [B * H, T, d]), tf.reshape(k, [B * H, S, d]), false, true), 1 / Math.sqrt(d));
      let s4 = tf.reshape(scores, [B, H, T, S]);
      if (causal) {
        // Query t sits at absolute position S−T+t; it may see keys j ≤ S−T+t.
        const rows = tf.reshape(tf.add(tf.range(0, T, 1, 'int32'), S - T), [T, 1]);
        const cols = tf.reshape(tf.range(0, S, 1, 'int32'), [1, S]);
        s4 = tf.add(s4, tf.mul(tf.cast(tf.greater(cols, rows), 'float32'), MASKED));
      }
      if (inputs.keyPaddingMask) {
        const pad = inputs.keyPaddingMask;
        if (pad.shape[0] !== B || pad.shape[1] !== S) throw new Error(`MultiHeadAttention: keyPaddingMask must be [${B}, ${S}], got [${pad.shape}]`);
        s4 = tf.add(s4, tf.reshape(tf.mul(tf.cast(tf.notEqual(pad, 0), 'float32'), MASKED), [B, 1, 1, S]));
      }
      if (inputs.attnBias) s4 = tf.add(s4, inputs.attnBias);
      let w = tf.softmax(s4, -1) as tf.Tensor4D;
      if (inputs.returnWeights) kept.weights = tf.keep(w);
      if (this.drop) w = this.drop.forward(w) as tf.Tensor4D;
      let ctx = tf.reshape(tf.matMul(tf.reshape(w, [B * H, T, S]), tf.reshape(v, [B * H, S, d])), [B, H, T, d]);
      if (inputs.headMask) {
        const hm = inputs.headMask;
        const shape = hm.rank === 1 ? [1, H, 1, 1] : [B, H, 1, 1];
        if (hm.size !== shape[0]! * H) throw new Error(`MultiHeadAttention: headMask must be [${H}] or [${B}, ${H}], got [${hm.shape}]`);
        ctx = tf.mul(ctx, tf.reshape(hm, shape));
      }
      const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B, T, H * d]);
      return this.oProj.forward(merged) as tf.Tensor3D;
    });
    const out: AttentionOutput = { output, weights: kept.weights };
    if (kept.present) out.presentKeyValue = kept.present;
    return out;
  }
}
