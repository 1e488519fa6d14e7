/**
 * A LLaMA-style decoder-only language model (the shared model of BSM and NutePrune,
 * docs/research/sequence.md §1(g), §2(a)) with Hugging Face `LlamaForCausalLM` parameter names
 * (`model.embed_tokens.weight`, `model.layers.0.self_attn.q_proj.weight`,
 * `model.layers.0.mlp.gate_proj.weight`, `model.layers.0.input_layernorm.weight`,
 * `model.norm.weight`, `lm_head.weight`), so HF checkpoints load by name:
 *   h = embed(ids);  per layer: h += attn(RMSNorm(h));  h += mlp(RMSNorm(h));  logits = lm_head(RMSNorm(h))
 * with rotary causal attention (optional GQA) and the SwiGLU MLP down(silu(gate(x)) ⊙ up(x)).
 *
 * Pruning hooks (NutePrune / CoFi, docs/research/sequence.md §2(a)): a per-layer head mask on each head's
 * attention output before `o_proj`, a per-layer FFN channel mask on the gate and up outputs (or
 * after their product), and a hidden-channel mask on the embeddings and on the attention and
 * MLP outputs before each residual add.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../module.js';
import { Linear, type LinearLike } from '../linear.js';
import { Embedding } from '../embedding.js';
import { RMSNorm } from '../norm.js';
import { MultiHeadAttention, type KeyValue } from '../attention.js';
import { silu } from '../activations.js';
import { normal } from '../init.js';
import type { Rng } from '../../util/random.js';
import { resolveLlamaConfig, type LlamaConfig, type ResolvedLlamaConfig } from './config.js';

/** Masks of one decoder layer (each optional; values in [0, 1], e.g. hard-concrete gates). */
export interface LayerMasks {
  /** [H] or [B, H]: multiplies each head's attention output (NutePrune `head_z[l]`). */
  headMask?: tf.Tensor;
  /** [F]: multiplies the FFN channels (NutePrune `intermediate_z[l]`). */
  intermediateMask?: tf.Tensor;
  /** [d]: multiplies the attention and MLP outputs before the residual adds (NutePrune `hidden_z`). */
  hiddenMask?: tf.Tensor;
}

/** Masks of the whole model, as NutePrune's L0 module produces them. */
export interface PruningMasks {
  /** [L, H] head gates. */
  headMask?: tf.Tensor;
  /** [L, F] FFN channel gates. */
  intermediateMask?: tf.Tensor;
  /** [d] hidden-channel gates, shared by the embeddings and every layer. */
  hiddenMask?: tf.Tensor;
}

const hfInit = (std: number) => (rng: Rng, shape: number[]) => normal(rng, shape, 0, std);

/** `LlamaMLP`: down_proj(silu(gate_proj(x)) ⊙ up_proj(x)), bias-free by default. x [..., d] → [..., d]. */
export class LlamaMLP extends Module {
  readonly gateProj: LinearLike;
  readonly upProj: LinearLike;
  readonly downProj: LinearLike;
  readonly maskAt: 'gate_and_up' | 'product';

  constructor(
    readonly hiddenSize: number,
    readonly intermediateSize: number,
    rng: Rng,
    opts: { bias?: boolean; initializerRange?: number; intermediateMaskAt?: 'gate_and_up' | 'product' } = {},
  ) {
    super();
    const lin = { bias: opts.bias ?? false, weightInit: hfInit(opts.initializerRange ?? 0.02), biasInit: (_: Rng, s: number[]) => tf.zeros(s) };
    this.gateProj = this.module('gate_proj', new Linear(hiddenSize, intermediateSize, rng, lin));
    this.upProj = this.module('up_proj', new Linear(hiddenSize, intermediateSize, rng, lin));
    this.downProj = this.module('down_proj', new Linear(intermediateSize, hiddenSize, rng, lin));
    this.maskAt = opts.intermediateMaskAt ?? 'gate_and_up';
  }

  /** `intermediateMask` [F] (see `LayerMasks`). */
  forward(x: tf.Tensor, intermediateMask?: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let g = this.gateProj.forward(x);
      let u = this.upProj.forward(x);
      if (intermediateMask && this.maskAt === 'gate_and_up') {
        g = tf.mul(g, intermediateMask);
        u = tf.mul(u, intermediateMask);
      }
      let p = tf.mul(silu(g), u);
      if (intermediateMask && this.maskAt === 'product') p = tf.mul(p, intermediateMask);
      return this.downProj.forward(p);
    });
  }
}

/** Inputs of one decoder-layer call beyond the hidden states. */
export interface DecoderLayerInputs extends LayerMasks {
  /** [B, S] with nonzero = padding key (S = cached + new positions). */
  keyPaddingMask?: tf.Tensor2D;
  /** This layer's cached keys/values. */
  pastKeyValue?: KeyValue;
  /** Return this layer's keys/values. */
  useCache?: boolean;
}

/**
 * `LlamaDecoderLayer`: pre-norm residual block, children `self_attn` (causal rotary
 * MultiHeadAttention with q/k/v/o_proj), `mlp`, `input_layernorm`, `post_attention_layernorm`.
 * h [B, T, d] → [B, T, d].
 */
export class LlamaDecoderLayer extends Module {
  readonly selfAttn: MultiHeadAttention;
  readonly mlp: LlamaMLP;
  readonly inputLayernorm: RMSNorm;
  readonly postAttentionLayernorm: RMSNorm;

  constructor(config: LlamaConfig, rng: Rng) {
    super();
    const c = resolveLlamaConfig(config);
    this.selfAttn = this.module(
      'self_attn',
      new MultiHeadAttention(c.hiddenSize, c.numAttentionHeads, rng, {
        numKeyValueHeads: c.numKeyValueHeads,
        headDim: c.headDim,
        bias: c.attentionBias,
        causal: true,
        rotary: { base: c.ropeTheta },
        // HF initialises every Linear N(0, initializer_range), biases 0.
        weightInit: hfInit(c.initializerRange),
        biasInit: (_, s) => tf.zeros(s),
      }),
    );
    this.mlp = this.module('mlp', new LlamaMLP(c.hiddenSize, c.intermediateSize, rng, { bias: c.mlpBias, initializerRange: c.initializerRange, intermediateMaskAt: c.intermediateMaskAt }));
    const norm = { eps: c.rmsNormEps, normalizedWidth: c.rmsNormWidth };
    this.inputLayernorm = this.module('input_layernorm', new RMSNorm(c.hiddenSize, norm));
    this.postAttentionLayernorm = this.module('post_attention_layernorm', new RMSNorm(c.hiddenSize, norm));
  }

  forward(h: tf.Tensor3D, inputs: DecoderLayerInputs = {}): { hidden: tf.Tensor3D; presentKeyValue?: KeyValue } {
    let present: KeyValue | undefined;
    const hidden = tf.tidy(() => {
      const attnIn: Parameters<MultiHeadAttention['forward']>[1] = {};
      if (inputs.keyPaddingMask) attnIn.keyPaddingMask = inputs.keyPaddingMask;
      if (inputs.pastKeyValue) attnIn.pastKeyValue = inputs.pastKeyValue;
      if (inputs.useCache) attnIn.useCache = true;
      if (inputs.headMask) attnIn.headMask = inputs.headMask;
      const a = this.selfAttn.forward(this.inputLayernorm.forward(h) as tf.Tensor3D, attnIn);
      if (a.presentKeyValue) {
        present = a.presentKeyValue;
        // Kept by MultiHeadAttention; this tidy must not free them.
        tf.keep(present.key);
        tf.keep(present.value);
      }
      let attnOut: tf.Tensor = a.output;
      if (inputs.hiddenMask) attnOut = tf.mul(attnOut, inputs.hiddenMask);
      const h1 = tf.add(h, attnOut);
      let m = this.mlp.forward(this.postAttentionLayernorm.forward(h1), inputs.intermediateMask);
      if (inputs.hiddenMask) m = tf.mul(m, inputs.hiddenMask);
      return tf.add(h1, m) as tf.Tensor3D;
    });
    return present ? { hidden, presentKeyValue: present } : { hidden };
  }
}

/**
 * Keys and values of every layer for incremental decoding. `forward` with a cache appends the
 * new positions; the cache owns its tensors (`dispose()` frees them).
 */
export class KVCache {
  private entries: Array<KeyValue | null>;

  constructor(readonly numLayers: number) {
    this.entries = new Array<KeyValue | null>(numLayers).fill(null);
  }

  /** Cached positions. */
  get length(): number {
    return this.entries[0]?.key.shape[2] ?? 0;
  }

  get(layer: number): KeyValue | undefined {
    return this.entries[layer] ?? undefined;
  }

  /** Replace a layer's entry (the old tensors are freed). */
  set(layer: number, kv: KeyValue): void {
    if (layer < 0 || layer >= this.numLayers) throw new RangeError(`KVCache: layer ${layer} out of range (${this.numLayers})`);
    const old = this.entries[layer];
    if (old && old.key !== kv.key) tf.dispose([old.key, old.value]);
    this.entries[layer] = kv;
  }

  dispose(): void {
    for (const e of this.entries) if (e) tf.dispose([e.key, e.value]);
    this.entries.fill(null);
  }
}

export interface LlamaForwardOptions {
  /** Pruning masks (see `PruningMasks`). */
  masks?: PruningMasks;
  /** [B, S] with 1 = real token, 0 = padding (Hugging Face's attention_mask); S = cached + new positions. */
  attentionMask?: tf.Tensor2D;
  /** Incremental decoding: attend to and append to this cache. */
  cache?: KVCache;
  /** Also return the hidden states as Hugging Face's `output_hidden_states` (default false). */
  returnHiddenStates?: boolean;
}

/** `LlamaModel`: `embed_tokens`, `layers` (ModuleList), `norm`. ids [B, T] int32 → normed states [B, T, d]. */
export class LlamaModel extends Module {
  readonly config: ResolvedLlamaConfig;
  readonly embedTokens: Embedding;
  readonly layers: ModuleList<LlamaDecoderLayer>;
  readonly norm: RMSNorm;

  constructor(config: LlamaConfig, rng: Rng) {
    super();
    this.config = resolveLlamaConfig(config);
    const c = this.config;
    this.embedTokens = this.module('embed_tokens', new Embedding(c.vocabSize, c.hiddenSize, rng, hfInit(c.initializerRange)));
    this.layers = this.module('layers', new ModuleList(Array.from({ length: c.numHiddenLayers }, () => new LlamaDecoderLayer(c, rng))));
    this.norm = this.module('norm', new RMSNorm(c.hiddenSize, { eps: c.rmsNormEps, normalizedWidth: c.rmsNormWidth }));
  }

  /**
   * The final normed hidden states [B, T, d]; with `returnHiddenStates` also HF's tuple:
   * [embeddings, output of layer 0, …, output of layer L−2, final normed output] (L + 1 entries).
   */
  forward(ids: tf.Tensor2D, opts: LlamaForwardOptions = {}): { hidden: tf.Tensor3D; hiddenStates?: tf.Tensor3D[] } {
    const c = this.config;
    const L = c.numHiddenLayers;
    if (ids.rank !== 2 || ids.dtype !== 'int32') throw new Error(`LlamaModel: ids must be int32 [B, T], got ${ids.dtype} [${ids.shape}]`);
    const [B, T] = ids.shape;
    const cache = opts.cache;
    if (cache && cache.numLayers !== L) throw new Error(`LlamaModel: cache has ${cache.numLayers} layers, the model ${L}`);
    const P = cache?.length ?? 0;
    const m = opts.masks ?? {};
    checkMask(m.headMask, [L, c.numAttentionHeads], 'headMask');
    checkMask(m.intermediateMask, [L, c.intermediateSize], 'intermediateMask');
    checkMask(m.hiddenMask, [c.hiddenSize], 'hiddenMask');
    if (opts.attentionMask && (opts.attentionMask.shape[0] !== B || opts.attentionMask.shape[1] !== P + T)) {
      throw new Error(`LlamaModel: attentionMask must be [${B}, ${P + T}] (cached + new positions), got [${opts.attentionMask.shape}]`);
    }
    const presents: KeyValue[] = [];
    const out = tf.tidy(() => {
      let h = this.embedTokens.forward(ids) as tf.Tensor3D;
      if (m.hiddenMask) h = tf.mul(h, m.hiddenMask) as tf.Tensor3D;
      const states: tf.Tensor3D[] = [];
      const pad = opts.attentionMask ? (tf.cast(tf.equal(opts.attentionMask, 0), 'int32') as tf.Tensor2D) : undefined;
      const heads = m.headMask ? tf.unstack(m.headMask) : null;
      const inter = m.intermediateMask ? tf.unstack(m.intermediateMask) : null;
      for (let l = 0; l < L; l++) {
        if (opts.returnHiddenStates) states.push(h);
        const inp: DecoderLayerInputs = {};
        if (pad) inp.keyPaddingMask = pad;
        if (heads) inp.headMask = heads[l]!;
        if (inter) inp.intermediateMask = inter[l]!;
        if (m.hiddenMask) inp.hiddenMask = m.hiddenMask;
        if (cache) {
          inp.useCache = true;
          const past = cache.get(l);
          if (past) inp.pastKeyValue = past;
        }
        const r = this.layers.at(l).forward(h, inp);
        if (r.presentKeyValue) presents.push(r.presentKeyValue);
        h = r.hidden;
      }
      const hidden = this.norm.forward(h) as tf.Tensor3D;
      if (opts.returnHiddenStates) states.push(hidden);
      return { hidden, states };
    });
    // Every layer's present keys/values were kept; hand them to the cache (which frees the old ones).
    if (cache) presents.forEach((kv, l) => cache.set(l, kv));
    return opts.returnHiddenStates ? { hidden: out.hidden, hiddenStates: out.states } : (tf.dispose(out.states), { hidden: out.hidden });
  }
}

function checkMask(t: tf.Tensor | undefined, shape: number[], what: string): void {
  if (t && t.shape.join() !== shape.join()) throw new Error(`LlamaModel: ${what} must be [${shape}], got [${t.shape}]`);
}
