/**
 * TGAT (Xu et al. 2020) as TGSL's copy computes it (`TGAT+TGSL/TGAT.py` `TGAN`,
 * docs/research/graph.md §2a): node, edge and time codes of one width D; layer l embeds node v at
 * time t by attending (2 heads, `attn_mode='prod'`) from [h_v^{l−1} ‖ 0 ‖ Φ(0)] over n sampled
 * neighbours [h_u^{l−1}(t_u) ‖ e_uv ‖ Φ(t − t_uv)], then merges with h_v^{l−1}; h⁰ = the node
 * features. Φ is TGSL's fixed-frequency cos followed by an MLP (`GraphMixerTE`), not TGAT's
 * learnable one (offered as `timeEncoding: 'tgat'`). Link score: `affinity_score`, a merge layer
 * D + D → D → 1. Each recursion level samples its own neighbours, as the official `tem_conv`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../module.js';
import { MergeLayer, MLPTimeEncode, TemporalAttention, TimeEncode } from './temporal.js';
import { blockDeltas, blockPadding, blockRows, type TemporalBackbone, type TemporalGraphView } from './temporal_view.js';
import type { Rng } from '../../util/random.js';

export interface TGATOptions {
  /** Attention layers (default 2). */
  numLayers?: number;
  /** Heads (default 2); 3·D must be divisible by it. */
  numHeads?: number;
  /** Neighbours sampled per node and layer (default 20). */
  numNeighbors?: number;
  /** Dropout (default 0.1). */
  dropout?: number;
  /** 'tgsl' (fixed-ω cos + MLP, TGSL's copy; default) or 'tgat' (learnable ω and phase, the original TGAT). */
  timeEncoding?: 'tgsl' | 'tgat';
}

export class TGAT extends Module implements TemporalBackbone {
  readonly numLayers: number;
  readonly numNeighbors: number;
  readonly attnModelList: ModuleList<TemporalAttention>;
  readonly timeEncoder: MLPTimeEncode | TimeEncode;
  readonly affinityScore: MergeLayer;

  constructor(
    readonly dim: number,
    rng: Rng,
    opts: TGATOptions = {},
  ) {
    super();
    this.numLayers = opts.numLayers ?? 2;
    this.numNeighbors = opts.numNeighbors ?? 20;
    const heads = opts.numHeads ?? 2;
    const dropout = opts.dropout ?? 0.1;
    const layers: TemporalAttention[] = [];
    for (let l = 0; l < this.numLayers; l++) layers.push(new TemporalAttention(dim, dim, dim, rng, { numHeads: heads, dropout, dropoutRng: rng.fork() }));
    this.attnModelList = this.module('attn_model_list', new ModuleList(layers));
    this.timeEncoder = this.module('time_encoder', opts.timeEncoding === 'tgat' ? new TimeEncode(dim) : new MLPTimeEncode(dim, rng, { frequencies: 'tgsl', fn: 'cos' }));
    this.affinityScore = this.module('affinity_score', new MergeLayer(dim, dim, dim, 1, rng));
  }

  get embedDim(): number {
    return this.dim;
  }

  embed(nodes: Int32Array, times: Float64Array, view: TemporalGraphView): tf.Tensor2D {
    return this.embedAt(nodes, times, this.numLayers, view);
  }

  private embedAt(nodes: Int32Array, times: Float64Array, layer: number, view: TemporalGraphView): tf.Tensor2D {
    const B = nodes.length;
    const D = this.dim;
    if (layer === 0) {
      return tf.tidy(() => (view.nodeTable ? (tf.gather(view.nodeTable, tf.tensor1d(nodes, 'int32')) as tf.Tensor2D) : tf.zeros([B, D])));
    }
    const n = this.numNeighbors;
    const blk = view.finder.sample(nodes, times, n, view.sampling, view.rng);
    // The node itself and its neighbours at the layer below, in one batch.
    const allNodes = new Int32Array(B + B * n);
    allNodes.set(nodes);
    allNodes.set(blk.nodes, B);
    const allTimes = new Float64Array(B + B * n);
    allTimes.set(times);
    allTimes.set(blk.times, B);
    const below = this.embedAt(allNodes, allTimes, layer - 1, view);
    return tf.tidy(() => {
      const self = tf.slice(below, [0, 0], [B, D]) as tf.Tensor2D;
      const seq = tf.reshape(tf.slice(below, [B, 0], [B * n, D]), [B, n, D]) as tf.Tensor3D;
      const srcTime = this.timeEncoder.forward(tf.zeros([B, 1]));
      const seqTime = this.timeEncoder.forward(blockDeltas(blk, times)) as tf.Tensor3D;
      const seqEdge = blockRows(view.edgeTable, blk.eids, B, n);
      const weight = view.edgeWeight ? (tf.reshape(tf.gather(view.edgeWeight, tf.tensor1d(blk.eids, 'int32')), [B, n]) as tf.Tensor2D) : undefined;
      const attn = this.attnModelList.at(layer - 1);
      const { output, weights } = attn.forward({ src: self, srcTime, seq, seqTime, seqEdge, mask: blockPadding(blk), ...(weight ? { weight } : {}) });
      weights.dispose();
      below.dispose();
      return output;
    });
  }

  linkLogits(src: tf.Tensor2D, dst: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.reshape(this.affinityScore.forward(src, dst), [-1]) as tf.Tensor1D);
  }
}
