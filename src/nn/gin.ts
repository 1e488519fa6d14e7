/**
 * Graph isomorphism network convolutions over an edge list (message passing with gather +
 * segment sum; no dense adjacency).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { Embedding } from './embedding.js';
import { ReLU } from './activations.js';
import { Sequential, type Layer } from './sequential.js';
import { xavierUniform } from './init.js';
import { gatherRows, segmentSum, spmm } from '../engine/ops.js';
import type { Rng } from '../util/random.js';

/**
 * Directed edges j → i: a [2, E] int32 tensor as PyG's `edge_index` (row 0 = source j,
 * row 1 = target i), or the two rows as separate [E] tensors.
 */
export type EdgeIndex = tf.Tensor2D | { src: tf.Tensor1D; dst: tf.Tensor1D };

/** Source and target ids of an `EdgeIndex` as [E] int32 tensors (new tensors when split from [2, E]; call inside a tidy). */
export function edgeEndpoints(edgeIndex: EdgeIndex): { src: tf.Tensor1D; dst: tf.Tensor1D } {
  if (edgeIndex instanceof tf.Tensor) {
    if (edgeIndex.rank !== 2 || edgeIndex.shape[0] !== 2) throw new Error(`edge index must be [2, E], got [${edgeIndex.shape}]`);
    if (edgeIndex.dtype !== 'int32') throw new Error(`edge index must be int32, got ${edgeIndex.dtype}`);
    const [s, d] = tf.split(edgeIndex, 2, 0);
    const src = tf.reshape(s!, [-1]) as tf.Tensor1D;
    const dst = tf.reshape(d!, [-1]) as tf.Tensor1D;
    tf.dispose([s!, d!]);
    return { src, dst };
  }
  if (edgeIndex.src.size !== edgeIndex.dst.size) throw new Error(`edge index: ${edgeIndex.src.size} sources but ${edgeIndex.dst.size} targets`);
  return { src: edgeIndex.src, dst: edgeIndex.dst };
}

/** The MLP Hu et al. and PyG examples use: Linear(in, hidden) → ReLU → Linear(hidden, out). */
export function ginMlp(inDim: number, hiddenDim: number, outDim: number, rng: Rng): Sequential {
  return new Sequential([new Linear(inDim, hiddenDim, rng), new ReLU(), new Linear(hiddenDim, outDim, rng)]);
}

export interface GINConvOptions {
  /** Initial ε (default 0). */
  eps?: number;
  /** Learn ε (a parameter) rather than keep it fixed (a buffer), as PyG's `train_eps` (default false). */
  trainEps?: boolean;
}

/**
 * GIN (Xu et al. 2019) as PyG's `GINConv`: h'_i = nn((1 + ε)·h_i + Σ_{j→i} h_j), sum over the
 * in-edges of i (no self-loops are added; the (1 + ε) term plays that role). The MLP is the
 * child `nn` (so `nn.0.weight`, …) and ε is `eps` [1] (parameter or buffer). x [N, F] → [N, F'].
 */
export class GINConv extends Module {
  readonly nn: Layer;
  readonly eps: tf.Variable<tf.Rank.R1>;

  constructor(nn: Layer, opts: GINConvOptions = {}) {
    super();
    this.nn = this.module('nn', nn);
    const init = tf.tensor1d([opts.eps ?? 0]);
    this.eps = opts.trainEps ? this.param('eps', init) : this.buffer('eps', init);
  }

  /** The MLP input (1 + ε)·h_i + Σ_{j→i} h_j, [N, F]. */
  aggregate(x: tf.Tensor2D, edgeIndex: EdgeIndex): tf.Tensor2D {
    return tf.tidy(() => {
      const { src, dst } = edgeEndpoints(edgeIndex);
      const msgs = spmm(x, src, dst, x.shape[0]);
      return tf.add(msgs, tf.mul(x, tf.add(1, this.eps))) as tf.Tensor2D;
    });
  }

  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex): tf.Tensor2D {
    return tf.tidy(() => this.nn.forward(this.aggregate(x, edgeIndex)) as tf.Tensor2D);
  }
}

export interface GINEdgeConvOptions {
  /** Rows of each categorical edge-feature table (default [6, 3]: bond type incl. self-loop and mask, bond direction). */
  edgeVocab?: number[];
  /** Edge features of the self-loop added to every node (default [4, 0]: bond type "self-loop", direction none). */
  selfLoopAttr?: number[];
  /** Hidden width of the MLP (default 2·embDim). */
  hiddenDim?: number;
}

/**
 * The GIN layer of Hu et al. 2020, "Strategies for pre-training GNNs" (pretrain-gnns
 * `GINConv`), which AdapterGNN fine-tunes (graph.md §1a):
 *   every node gets a self-loop with edge features `selfLoopAttr`;
 *   e_{ji} = Σ_k edge_embedding{k}[attr_k(j→i)]  (Xavier-uniform tables);
 *   a_i = Σ_{j→i, incl. the self-loop} (h_j + e_{ji});   h'_i = mlp(a_i).
 * Parameters `mlp.0.{weight,bias}`, `mlp.2.{weight,bias}` (D → 2D → D), `edge_embedding1.weight`,
 * `edge_embedding2.weight`, … as in the official state dicts. x [N, D] → [N, D]. The self-loop is
 * not appended to the edge list: its message h_i + e_self is added directly (same sum).
 */
export class GINEdgeConv extends Module {
  readonly mlp: Sequential;
  readonly edgeEmbeddings: Embedding[] = [];
  readonly selfLoopAttr: number[];

  constructor(
    readonly embDim: number,
    rng: Rng,
    opts: GINEdgeConvOptions = {},
  ) {
    super();
    const vocab = opts.edgeVocab ?? [6, 3];
    this.selfLoopAttr = opts.selfLoopAttr ?? [4, 0];
    if (this.selfLoopAttr.length !== vocab.length) throw new Error(`GINEdgeConv: selfLoopAttr has ${this.selfLoopAttr.length} entries for ${vocab.length} edge features`);
    this.selfLoopAttr.forEach((v, k) => {
      if (!(Number.isInteger(v) && v >= 0 && v < vocab[k]!)) throw new Error(`GINEdgeConv: self-loop feature ${k} = ${v} outside its table of ${vocab[k]} rows`);
    });
    this.mlp = this.module('mlp', ginMlp(embDim, opts.hiddenDim ?? 2 * embDim, embDim, rng));
    vocab.forEach((rows, k) => {
      this.edgeEmbeddings.push(this.module(`edge_embedding${k + 1}`, new Embedding(rows, embDim, rng, (r, s) => xavierUniform(r, s))));
    });
  }

  /**
   * The summed messages a_i (the GIN-MLP input; AdapterGNN's second adapter reads it), [N, D].
   * `edgeAttr`: int32 [E, K], one column per edge-feature table, in edge-list order.
   */
  aggregate(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D {
    const K = this.edgeEmbeddings.length;
    if (edgeAttr.rank !== 2 || edgeAttr.shape[1] !== K) throw new Error(`GINEdgeConv: edgeAttr must be [E, ${K}], got [${edgeAttr.shape}]`);
    if (edgeAttr.dtype !== 'int32') throw new Error(`GINEdgeConv: edgeAttr must be int32, got ${edgeAttr.dtype}`);
    return tf.tidy(() => {
      const { src, dst } = edgeEndpoints(edgeIndex);
      if (src.size !== edgeAttr.shape[0]) throw new Error(`GINEdgeConv: ${src.size} edges but ${edgeAttr.shape[0]} rows of edgeAttr`);
      const cols = K === 1 ? [edgeAttr] : tf.split(edgeAttr, K, 1);
      let edgeEmb: tf.Tensor = gatherRows(this.edgeEmbeddings[0]!.weight, tf.reshape(cols[0]!, [-1]));
      let selfEmb: tf.Tensor = gatherRows(this.edgeEmbeddings[0]!.weight, [this.selfLoopAttr[0]!]);
      for (let k = 1; k < K; k++) {
        edgeEmb = tf.add(edgeEmb, gatherRows(this.edgeEmbeddings[k]!.weight, tf.reshape(cols[k]!, [-1])));
        selfEmb = tf.add(selfEmb, gatherRows(this.edgeEmbeddings[k]!.weight, [this.selfLoopAttr[k]!]));
      }
      const msgs = tf.add(gatherRows(x, src), edgeEmb);
      const summed = segmentSum(msgs, dst, x.shape[0]);
      return tf.add(tf.add(summed, x), selfEmb) as tf.Tensor2D;
    });
  }

  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.mlp.forward(this.aggregate(x, edgeIndex, edgeAttr)) as tf.Tensor2D);
  }
}
