/**
 * Building blocks of temporal graph networks, as the official TGAT code (Xu et al. 2020) and
 * TGSL's copy of it use them (docs/research/graph.md §2a): the functional time encoding, the merge layer and
 * the multi-head attention of a node over its sampled temporal neighbours. Neighbours come in
 * dense padded blocks [B, N, ·] with a padding mask, so attention is a batched matmul. Parameter
 * names follow the official modules (`basis_freq`, `phase`, `merger.fc1.weight`,
 * `multi_head_target.w_qs.weight`, …).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import { Linear } from '../linear.js';
import { Dropout } from '../dropout.js';
import { LayerNorm } from '../norm.js';
import { ReLU } from '../activations.js';
import { Sequential } from '../sequential.js';
import { normal, xavierNormal } from '../init.js';
import type { Rng } from '../../util/random.js';

/** Score of masked (padding) neighbours, as TGAT's `masked_fill(mask, -1e10)`: a row with only padding becomes uniform. */
const MASKED_SCORE = -1e10;

/** Frequency initialisations of the time encodings. */
export type TimeFrequencies = 'tgat' | 'tgsl' | ArrayLike<number>;

/**
 * ω of a time encoding of width d: 'tgat' ω_i = 10^(−9i/(d−1)) (TGAT's `1 / 10 ** linspace(0, 9, d)`),
 * 'tgsl' ω_i = a^(−i/a) with a = ⌊√d⌋ (TGSL's fixed `GraphMixerTE` frequencies), i = 0…d−1.
 */
export function timeFrequencies(dim: number, kind: TimeFrequencies = 'tgat'): Float32Array {
  if (typeof kind !== 'string') {
    if (kind.length !== dim) throw new Error(`time encoding: ${kind.length} frequencies for width ${dim}`);
    return Float32Array.from(kind);
  }
  const w = new Float32Array(dim);
  if (kind === 'tgat') {
    for (let i = 0; i < dim; i++) w[i] = 1 / Math.pow(10, dim === 1 ? 0 : (9 * i) / (dim - 1));
  } else {
    const a = Math.floor(Math.sqrt(dim));
    for (let i = 0; i < dim; i++) w[i] = Math.pow(a, -i / a);
  }
  return w;
}

export interface TimeEncodeOptions {
  /** Initial frequencies (default 'tgat'). */
  frequencies?: TimeFrequencies;
  /** Learn ω and φ (default true, as TGAT); false keeps them as buffers (DyGLib's GraphMixer). */
  learnable?: boolean;
  /** Harmonic (default 'cos'; TGSL's ET-GNN and GraphMixer copy use 'sin'). */
  fn?: 'cos' | 'sin';
}

/**
 * TGAT's `TimeEncode`: Φ(t) = cos(t·ω + φ) per element, `basis_freq` ω [d] and `phase` φ [d]
 * (zeros). t [B, L] (time differences) → [B, L, d]; any shape [...] → [..., d].
 */
export class TimeEncode extends Module {
  readonly basisFreq: tf.Variable<tf.Rank.R1>;
  readonly phase: tf.Variable<tf.Rank.R1>;
  readonly fn: 'cos' | 'sin';

  constructor(
    readonly dim: number,
    opts: TimeEncodeOptions = {},
  ) {
    super();
    const w = tf.tensor1d(timeFrequencies(dim, opts.frequencies));
    const b = tf.zeros([dim]) as tf.Tensor1D;
    const learn = opts.learnable ?? true;
    this.basisFreq = learn ? this.param('basis_freq', w) : this.buffer('basis_freq', w);
    this.phase = learn ? this.param('phase', b) : this.buffer('phase', b);
    this.fn = opts.fn ?? 'cos';
  }

  forward(t: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const arg = tf.add(tf.mul(tf.expandDims(tf.cast(t, 'float32'), -1), this.basisFreq), this.phase);
      return this.fn === 'cos' ? tf.cos(arg) : tf.sin(arg);
    });
  }
}

/**
 * TGSL's time encoding for TGAT (`GraphMixerTE`): fixed frequencies `w` (a buffer; 'tgsl'
 * initialisation), cos, then an MLP `transformation` d → d → d (ReLU). t [...] → [..., d].
 */
export class MLPTimeEncode extends Module {
  readonly w: tf.Variable<tf.Rank.R1>;
  readonly transformation: Sequential;
  readonly fn: 'cos' | 'sin';

  constructor(
    readonly dim: number,
    rng: Rng,
    opts: { frequencies?: TimeFrequencies; fn?: 'cos' | 'sin' } = {},
  ) {
    super();
    this.w = this.buffer('w', tf.tensor1d(timeFrequencies(dim, opts.frequencies ?? 'tgsl')));
    this.transformation = this.module('transformation', new Sequential([new Linear(dim, dim, rng), new ReLU(), new Linear(dim, dim, rng)]));
    this.fn = opts.fn ?? 'cos';
  }

  forward(t: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const arg = tf.mul(tf.expandDims(tf.cast(t, 'float32'), -1), this.w);
      return this.transformation.forward(this.fn === 'cos' ? tf.cos(arg) : tf.sin(arg));
    });
  }
}

/**
 * TGAT's `MergeLayer(dim1, dim2, dim3, dim4)`: fc2(ReLU(fc1([x1 ‖ x2]))), `fc1` (dim1+dim2 → dim3)
 * and `fc2` (dim3 → dim4) with Xavier-normal weights. Used to merge a node's attention output
 * with its own state, and as the link-score head (dim4 = 1).
 */
export class MergeLayer extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  /** `init` 'xavier' (TGAT's, default) or 'torch' (nn.Linear's own, as DyGLib's MergeLayer). */
  constructor(dim1: number, dim2: number, dim3: number, dim4: number, rng: Rng, init: 'xavier' | 'torch' = 'xavier') {
    super();
    const o = init === 'xavier' ? { weightInit: (r: Rng, s: number[]) => xavierNormal(r, s) } : {};
    this.fc1 = this.module('fc1', new Linear(dim1 + dim2, dim3, rng, o));
    this.fc2 = this.module('fc2', new Linear(dim3, dim4, rng, o));
  }

  forward(x1: tf.Tensor, x2: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(tf.relu(this.fc1.forward(tf.concat([x1, x2], -1)))));
  }
}

export interface TemporalMultiHeadAttentionOptions {
  /** Dropout on the attention weights and on the output projection, training only (default 0.1 as TGAT). */
  dropout?: number;
  /** Needed when dropout > 0. */
  dropoutRng?: Rng;
}

/**
 * TGAT's `MultiHeadAttention(n_head, d_model, d_k, d_v)`: bias-free `w_qs`, `w_ks` [H·d_k, d_model],
 * `w_vs` [H·d_v, d_model] (N(0, √(2/(d_model + d_k))) init), scaled dot-product attention with a
 * padding mask, `fc` [d_model, H·d_v] (Xavier-normal), dropout, and a post-norm residual:
 * out = LayerNorm(dropout(fc(attn)) + q). q [B, Lq, d_model], k/v [B, Lk, d_model] → out [B, Lq, d_model].
 */
export class TemporalMultiHeadAttention extends Module {
  readonly wQs: Linear;
  readonly wKs: Linear;
  readonly wVs: Linear;
  readonly layerNorm: LayerNorm;
  readonly fc: Linear;
  private readonly attnDrop: Dropout | null;
  private readonly outDrop: Dropout | null;

  constructor(
    readonly numHeads: number,
    readonly dModel: number,
    readonly dK: number,
    readonly dV: number,
    rng: Rng,
    opts: TemporalMultiHeadAttentionOptions = {},
  ) {
    super();
    const std = (d: number) => Math.sqrt(2 / (dModel + d));
    this.wQs = this.module('w_qs', new Linear(dModel, numHeads * dK, rng, { bias: false, weightInit: (r, s) => normal(r, s, 0, std(dK)) }));
    this.wKs = this.module('w_ks', new Linear(dModel, numHeads * dK, rng, { bias: false, weightInit: (r, s) => normal(r, s, 0, std(dK)) }));
    this.wVs = this.module('w_vs', new Linear(dModel, numHeads * dV, rng, { bias: false, weightInit: (r, s) => normal(r, s, 0, std(dV)) }));
    this.layerNorm = this.module('layer_norm', new LayerNorm(dModel));
    this.fc = this.module('fc', new Linear(numHeads * dV, dModel, rng, { weightInit: (r, s) => xavierNormal(r, s) }));
    const p = opts.dropout ?? 0.1;
    if (p > 0) {
      const r = opts.dropoutRng;
      if (!r) throw new Error('TemporalMultiHeadAttention: dropout > 0 needs dropoutRng');
      this.attnDrop = this.module('attn_dropout', new Dropout(p, r.fork()));
      this.outDrop = this.module('dropout', new Dropout(p, r.fork()));
    } else {
      this.attnDrop = null;
      this.outDrop = null;
    }
  }

  /**
   * `mask` [B, Lq, Lk] or [B, Lk]: nonzero / true marks a padding key. Returns the output and
   * the attention weights [B, H, Lq, Lk].
   */
  forward(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, mask?: tf.Tensor): { output: tf.Tensor3D; weights: tf.Tensor4D } {
    const [B, Lq] = q.shape;
    const Lk = k.shape[1];
    if (k.shape[0] !== B || v.shape[0] !== B || v.shape[1] !== Lk) throw new Error(`TemporalMultiHeadAttention: q [${q.shape}], k [${k.shape}], v [${v.shape}] disagree`);
    const H = this.numHeads;
    const res = tf.tidy(() => {
      const heads = (x: tf.Tensor, L: number, d: number): tf.Tensor3D => tf.reshape(tf.transpose(tf.reshape(x, [B, L, H, d]), [0, 2, 1, 3]), [B * H, L, d]) as tf.Tensor3D;
      const qh = heads(this.wQs.forward(q), Lq, this.dK);
      const kh = heads(this.wKs.forward(k), Lk, this.dK);
      const vh = heads(this.wVs.forward(v), Lk, this.dV);
      let s = tf.reshape(tf.div(tf.matMul(qh, kh, false, true), Math.sqrt(this.dK)), [B, H, Lq, Lk]);
      if (mask) {
        const m = mask.rank === 2 ? tf.reshape(mask, [B, 1, 1, Lk]) : tf.reshape(mask, [B, 1, Lq, Lk]);
        if (m.size !== B * (mask.rank === 2 ? 1 : Lq) * Lk) throw new Error(`TemporalMultiHeadAttention: mask [${mask.shape}] does not fit [${B}, ${Lq}, ${Lk}]`);
        const pad = tf.broadcastTo(tf.notEqual(m, 0), [B, H, Lq, Lk]);
        s = tf.where(pad, tf.fill([B, H, Lq, Lk], MASKED_SCORE), s);
      }
      const w = tf.softmax(s, -1) as tf.Tensor4D;
      const wd = this.attnDrop ? this.attnDrop.forward(w) : w;
      const ctx = tf.matMul(tf.reshape(wd, [B * H, Lq, Lk]), vh); // [B·H, Lq, dV]
      const merged = tf.reshape(tf.transpose(tf.reshape(ctx, [B, H, Lq, this.dV]), [0, 2, 1, 3]), [B, Lq, H * this.dV]);
      let out = this.fc.forward(merged);
      if (this.outDrop) out = this.outDrop.forward(out);
      return { output: this.layerNorm.forward(tf.add(out, q)) as tf.Tensor3D, weights: w };
    });
    return res;
  }
}

export interface TemporalAttentionInputs {
  /** The attending nodes' states, [B, D]. */
  src: tf.Tensor2D;
  /** Their time code Φ(0), [B, Dt] or [B, 1, Dt]. */
  srcTime: tf.Tensor;
  /** Neighbour states [B, N, D] (padding rows arbitrary, usually zeros). */
  seq: tf.Tensor3D;
  /** Neighbour time codes Φ(t − t_j), [B, N, Dt]. */
  seqTime: tf.Tensor3D;
  /** Edge features of the neighbour edges, [B, N, De]. */
  seqEdge: tf.Tensor3D;
  /** [B, N]; nonzero / true marks a padding neighbour (TGAT: neighbour id 0). */
  mask: tf.Tensor2D;
  /** Optional per-neighbour weights [B, N] multiplied into the attention values only (TGSL's learned-edge weights). */
  weight?: tf.Tensor2D;
}

export interface TemporalAttentionOptions {
  /** Heads (default 2). */
  numHeads?: number;
  /** Dropout (default 0.1). */
  dropout?: number;
  /** Needed when dropout > 0. */
  dropoutRng?: Rng;
}

/**
 * TGAT's `AttnModel` with `attn_mode='prod'`: the query is [h_src ‖ 0_edge ‖ Φ(0)], keys and
 * values [h_j ‖ e_j ‖ Φ(t − t_j)] (model width D + De + Dt, split over the heads), one
 * `TemporalMultiHeadAttention` step (child `multi_head_target`), then `merger`
 * (MergeLayer(D + De + Dt, D, D, D)) on [attention output ‖ h_src]. Output [B, D] and the
 * weights [B, H, N]. A node whose neighbours are all padding attends uniformly to the padding,
 * as the official code does.
 */
export class TemporalAttention extends Module {
  readonly modelDim: number;
  readonly merger: MergeLayer;
  readonly multiHeadTarget: TemporalMultiHeadAttention;

  constructor(
    readonly featDim: number,
    readonly edgeDim: number,
    readonly timeDim: number,
    rng: Rng,
    opts: TemporalAttentionOptions = {},
  ) {
    super();
    this.modelDim = featDim + edgeDim + timeDim;
    const H = opts.numHeads ?? 2;
    if (this.modelDim % H !== 0) throw new Error(`TemporalAttention: model width ${this.modelDim} (= ${featDim} + ${edgeDim} + ${timeDim}) is not divisible by ${H} heads`);
    this.merger = this.module('merger', new MergeLayer(this.modelDim, featDim, featDim, featDim, rng));
    const d = this.modelDim / H;
    const mhaOpts: TemporalMultiHeadAttentionOptions = { dropout: opts.dropout ?? 0.1 };
    if (opts.dropoutRng) mhaOpts.dropoutRng = opts.dropoutRng;
    this.multiHeadTarget = this.module('multi_head_target', new TemporalMultiHeadAttention(H, this.modelDim, d, d, rng, mhaOpts));
  }

  forward(inp: TemporalAttentionInputs): { output: tf.Tensor2D; weights: tf.Tensor3D } {
    const [B, D] = inp.src.shape;
    const N = inp.seq.shape[1];
    if (D !== this.featDim || inp.seq.shape[2] !== this.featDim) throw new Error(`TemporalAttention: node states must have width ${this.featDim}, got src [${inp.src.shape}], seq [${inp.seq.shape}]`);
    if (inp.seqEdge.shape[2] !== this.edgeDim || inp.seqTime.shape[2] !== this.timeDim)
      throw new Error(`TemporalAttention: edge / time features must have widths ${this.edgeDim} / ${this.timeDim}, got [${inp.seqEdge.shape}] / [${inp.seqTime.shape}]`);
    if (inp.mask.shape[0] !== B || inp.mask.shape[1] !== N) throw new Error(`TemporalAttention: mask must be [${B}, ${N}], got [${inp.mask.shape}]`);
    const kept: { w: tf.Tensor3D | null } = { w: null };
    const output = tf.tidy(() => {
      const srcT = tf.reshape(inp.srcTime, [B, 1, this.timeDim]);
      const q = tf.concat([tf.reshape(inp.src, [B, 1, D]), tf.zeros([B, 1, this.edgeDim]), srcT], 2) as tf.Tensor3D;
      const k = tf.concat([inp.seq, inp.seqEdge, inp.seqTime], 2) as tf.Tensor3D;
      const v = inp.weight ? (tf.mul(k, tf.reshape(inp.weight, [B, N, 1])) as tf.Tensor3D) : k;
      const { output: o, weights } = this.multiHeadTarget.forward(q, k, v, inp.mask);
      kept.w = tf.keep(tf.reshape(weights, [B, this.multiHeadTarget.numHeads, N]) as tf.Tensor3D);
      return this.merger.forward(tf.reshape(o, [B, this.modelDim]), inp.src) as tf.Tensor2D;
    });
    return { output, weights: kept.w! };
  }
}

/**
 * TGSL's time mapping ψ (`view_learner.py` `TimeMapping`): ψ(Δ) = W·sin(Δ·ω) + 1 with fixed 'tgsl'
 * frequencies ω and a bias-free `transformation` W (nn.Linear's init). Δ [...] → [..., d].
 */
export class TimeMapping extends Module {
  readonly w: tf.Variable<tf.Rank.R1>;
  readonly transformation: Linear;

  constructor(
    readonly dim: number,
    rng: Rng,
  ) {
    super();
    this.w = this.buffer('w', tf.tensor1d(timeFrequencies(dim, 'tgsl')));
    this.transformation = this.module('transformation', new Linear(dim, dim, rng, { bias: false }));
  }

  forward(delta: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(this.transformation.forward(tf.sin(tf.mul(tf.expandDims(tf.cast(delta, 'float32'), -1), this.w))), 1));
  }
}
