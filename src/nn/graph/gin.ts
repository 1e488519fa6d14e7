/**
 * Graph isomorphism network convolutions (Xu et al. 2019) on the message-passing base: PyG's
 * `GINConv` and the edge-featured GIN layer of Hu et al. 2020 ("Strategies for pre-training
 * GNNs", the pretrain-gnns `GINConv` that AdapterGNN fine-tunes, docs/research/graph.md §1a).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Linear } from '../linear.js';
import { Embedding } from '../embedding.js';
import { ReLU } from '../activations.js';
import { Sequential, type Layer } from '../sequential.js';
import { xavierUniform } from '../init.js';
import { gatherRows } from '../../engine/ops.js';
import type { Rng } from '../../util/random.js';
import { addSelfLoops, edgeEndpoints, type EdgeIndex } from './edges.js';
import { MessagePassing, type MessageContext } from './message_passing.js';

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

interface GINInputs {
  x: tf.Tensor2D;
}

/**
 * GIN as PyG's `GINConv`: h'_i = nn((1 + ε)·h_i + Σ_{j→i} h_j), sum over the in-edges of i (no
 * self-loops are added; the (1 + ε) term plays that role). The MLP is the child `nn` (so
 * `nn.0.weight`, …) and ε is `eps` [1] (parameter or buffer). x [N, F] → [N, F'].
 */
export class GINConv extends MessagePassing<GINInputs> {
  readonly nn: Layer;
  readonly eps: tf.Variable<tf.Rank.R1>;

  constructor(nn: Layer, opts: GINConvOptions = {}) {
    super({ aggr: 'sum' });
    this.nn = this.module('nn', nn);
    const init = tf.tensor1d([opts.eps ?? 0]);
    this.eps = opts.trainEps ? this.param('eps', init) : this.buffer('eps', init);
  }

  /** The MLP input (1 + ε)·h_i + Σ_{j→i} h_j, [N, F]. */
  mlpInput(x: tf.Tensor2D, edgeIndex: EdgeIndex): tf.Tensor2D {
    return tf.tidy(() => tf.add(this.messageAndAggregate(edgeIndex, { x }), tf.mul(x, tf.add(1, this.eps))) as tf.Tensor2D);
  }

  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex): tf.Tensor2D {
    return tf.tidy(() => this.nn.forward(this.mlpInput(x, edgeIndex)) as tf.Tensor2D);
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

interface GINEdgeInputs {
  x: tf.Tensor2D;
  /** Summed edge embeddings e_ji, one row per edge (self-loops included), [E + N, D]. */
  edgeEmb: tf.Tensor2D;
}

/**
 * The GIN layer of Hu et al. 2020 (pretrain-gnns `GINConv`, docs/research/graph.md §1a):
 *   self-loops i → i with edge features `selfLoopAttr` are appended to the edge list;
 *   e_{ji} = Σ_k edge_embedding{k}[attr_k(j→i)]  (Xavier-uniform tables);
 *   a_i = Σ_{j→i, incl. the self-loop} (h_j + e_{ji});   h'_i = mlp(a_i).
 * Parameters `mlp.0.{weight,bias}`, `mlp.2.{weight,bias}` (D → 2D → D), `edge_embedding1.weight`,
 * `edge_embedding2.weight`, … as in the official state dicts. x [N, D] → [N, D].
 */
export class GINEdgeConv extends MessagePassing<GINEdgeInputs> {
  readonly mlp: Sequential;
  readonly edgeEmbeddings: Embedding[] = [];
  readonly selfLoopAttr: number[];

  constructor(
    readonly embDim: number,
    rng: Rng,
    opts: GINEdgeConvOptions = {},
  ) {
    super({ aggr: 'sum' });
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

  protected override message(ctx: MessageContext<GINEdgeInputs>): tf.Tensor {
    return tf.add(ctx.xJ(), ctx.inputs.edgeEmb);
  }

  /**
   * The summed messages a_i (the GIN-MLP input; AdapterGNN's second adapter reads it), [N, D].
   * `edgeAttr`: int32 [E, K], one column per edge-feature table, in edge-list order.
   */
  mlpInput(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D {
    const K = this.edgeEmbeddings.length;
    if (edgeAttr.rank !== 2 || edgeAttr.shape[1] !== K) throw new Error(`GINEdgeConv: edgeAttr must be [E, ${K}], got [${edgeAttr.shape}]`);
    if (edgeAttr.dtype !== 'int32') throw new Error(`GINEdgeConv: edgeAttr must be int32, got ${edgeAttr.dtype}`);
    return tf.tidy(() => {
      const N = x.shape[0];
      const ends = edgeEndpoints(edgeIndex);
      if (ends.src.size !== edgeAttr.shape[0]) throw new Error(`GINEdgeConv: ${ends.src.size} edges but ${edgeAttr.shape[0]} rows of edgeAttr`);
      // pretrain-gnns adds the self-loops (bond type 4, direction 0) inside every layer.
      const loops = addSelfLoops(ends, N);
      const loopAttr = tf.tile(tf.tensor2d([this.selfLoopAttr], [1, K], 'int32'), [N, 1]);
      const attr = tf.concat([edgeAttr, loopAttr], 0);
      const cols = K === 1 ? [attr] : tf.split(attr, K, 1);
      let edgeEmb: tf.Tensor = gatherRows(this.edgeEmbeddings[0]!.weight, tf.reshape(cols[0]!, [-1]));
      for (let k = 1; k < K; k++) edgeEmb = tf.add(edgeEmb, gatherRows(this.edgeEmbeddings[k]!.weight, tf.reshape(cols[k]!, [-1])));
      return this.messageAndAggregate(loops, { x, edgeEmb: edgeEmb as tf.Tensor2D }) as tf.Tensor2D;
    });
  }

  forward(x: tf.Tensor2D, edgeIndex: EdgeIndex, edgeAttr: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => this.mlp.forward(this.mlpInput(x, edgeIndex, edgeAttr)) as tf.Tensor2D);
  }
}
