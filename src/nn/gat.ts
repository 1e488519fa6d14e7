/**
 * Dense graph attention over a small, fully materialised node set [B, N, F] — every node may
 * attend every other unless an adjacency mask says otherwise. This is the form MTAD-GAT's
 * feature- and time-oriented attention layers use (ML4ITS `FeatureAttentionLayer` /
 * `TemporalAttentionLayer`, docs/research/timeseries.md §2.2): nodes are the k features (vectors of n time
 * steps) or the n time steps (vectors of k features); the caller transposes as needed.
 *
 * Parameter names follow ML4ITS so its state dicts load: `lin.{weight,bias}` (nn.Linear init),
 * `a` [·, 1] (Xavier-uniform, gain 1.414) and, when `numNodes` is given, `bias` [N, N] (zeros).
 *
 * Defaults are ML4ITS's choices: the attention averages the *raw* input vectors
 * (`aggregate: 'input'`), the output goes through a sigmoid, and `lin` has a bias. For the
 * papers' own layers use `aggregate: 'projected'`, `activation: 'elu'` (or 'identity'),
 * `linearBias: false`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear } from './linear.js';
import { Dropout } from './dropout.js';
import { xavierUniform } from './init.js';
import { activate, type ActivationName } from './activations.js';
import type { Rng } from '../util/random.js';

const MASKED = -1e9;

export interface DenseGATOptions {
  /**
   * Width E of the projection (default: F for GATLayer; 2F for GATv2Layer, as ML4ITS). ML4ITS
   * doubles its `embed_dim` argument for GATv2, so its `embed_dim = d` is `embedDim: 2d` here.
   */
  embedDim?: number;
  /** Negative slope of the LeakyReLU in the score (default 0.2). */
  alpha?: number;
  /** Give `lin` a bias (default true, ML4ITS's nn.Linear). */
  linearBias?: boolean;
  /** When set, learn an additive score bias `bias` [numNodes, numNodes] (ML4ITS `use_bias=True`). */
  numNodes?: number;
  /** Average the raw input vectors ('input', ML4ITS, default) or their projection ('projected', the papers). */
  aggregate?: 'input' | 'projected';
  /** Activation on the aggregated vectors (default 'sigmoid', ML4ITS). */
  activation?: ActivationName;
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Needed only when dropout > 0. */
  dropoutRng?: Rng;
}

export interface DenseGATInputs {
  /** [N, N] or [B, N, N]; entry (i, j) nonzero lets node i attend node j. Default: all pairs. */
  adjacency?: tf.Tensor;
  /** Also return the attention weights [B, N, N] (rows sum to 1). */
  returnWeights?: boolean;
}

export interface DenseGATOutput {
  /** [B, N, F] with aggregate 'input', [B, N, E] with 'projected'. */
  output: tf.Tensor3D;
  weights: tf.Tensor3D | null;
}

/** What both dense GAT variants share: score bias, masking, softmax, dropout, aggregation. */
abstract class DenseGATBase extends Module {
  readonly embedDim: number;
  readonly alpha: number;
  readonly numNodes: number | null;
  readonly aggregate: 'input' | 'projected';
  readonly activation: ActivationName;
  readonly lin: Linear;
  readonly a: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R2> | null;
  private readonly drop: Dropout | null;

  protected constructor(
    readonly inFeatures: number,
    linIn: number,
    embedDim: number,
    aRows: number,
    rng: Rng,
    opts: DenseGATOptions,
  ) {
    super();
    this.embedDim = embedDim;
    this.alpha = opts.alpha ?? 0.2;
    this.numNodes = opts.numNodes ?? null;
    this.aggregate = opts.aggregate ?? 'input';
    this.activation = opts.activation ?? 'sigmoid';
    this.lin = this.module('lin', new Linear(linIn, embedDim, rng, { bias: opts.linearBias ?? true }));
    this.a = this.param('a', xavierUniform(rng, [aRows, 1], 1.414) as tf.Tensor2D);
    this.bias = this.numNodes !== null ? this.param('bias', tf.zeros([this.numNodes, this.numNodes]) as tf.Tensor2D) : null;
    if (opts.dropout && opts.dropout > 0) {
      if (!opts.dropoutRng) throw new Error('dense GAT: dropout > 0 needs dropoutRng');
      this.drop = this.module('dropout', new Dropout(opts.dropout, opts.dropoutRng));
    } else {
      this.drop = null;
    }
  }

  /** Raw scores e [B, N, N] and the vectors to aggregate in 'projected' mode [B, N, E]. */
  protected abstract scores(x: tf.Tensor3D): { e: tf.Tensor3D; projected: tf.Tensor3D };

  /** Attend over the nodes of `x` [B, N, F]. */
  forward(x: tf.Tensor3D, inputs: DenseGATInputs = {}): DenseGATOutput {
    if (x.rank !== 3 || x.shape[2] !== this.inFeatures) throw new Error(`dense GAT: expected [B, N, ${this.inFeatures}], got [${x.shape}]`);
    const [B, N] = x.shape;
    if (this.numNodes !== null && N !== this.numNodes) throw new Error(`dense GAT: layer was built for ${this.numNodes} nodes, got ${N}`);
    // Both come out of one tidy (no tf.keep), so an enclosing tidy still owns the weights.
    const [output, weights] = tf.tidy(() => {
      const { e: raw, projected } = this.scores(x);
      let e: tf.Tensor = raw;
      if (this.bias) e = tf.add(e, this.bias);
      if (inputs.adjacency) {
        const adj = inputs.adjacency;
        const ok = adj.shape.join() === [N, N].join() || adj.shape.join() === [B, N, N].join();
        if (!ok) throw new Error(`dense GAT: adjacency must be [${N}, ${N}] or [${B}, ${N}, ${N}], got [${adj.shape}]`);
        e = tf.add(e, tf.mul(tf.cast(tf.equal(adj, 0), 'float32'), MASKED));
      }
      const soft = tf.softmax(e, -1) as tf.Tensor3D;
      const att = this.drop ? (this.drop.forward(soft) as tf.Tensor3D) : soft;
      const h = activate(tf.matMul(att, this.aggregate === 'input' ? x : projected), this.activation) as tf.Tensor3D;
      return inputs.returnWeights ? [h, soft] : [h];
    });
    return { output: output!, weights: weights ?? null };
  }
}

/**
 * GAT (Veličković et al. 2018) score on a dense node set: e_ij = LeakyReLU(aᵀ[Wh_i ‖ Wh_j]),
 * α = softmax_j(e + bias, masked), h'_i = act(Σ_j α_ij v_j) with v = h ('input') or Wh
 * ('projected'). `lin`: F → E (default E = F), `a` [2E, 1]. The pair score is computed as
 * a₁ᵀWh_i + a₂ᵀWh_j (no [B, N, N, 2E] pair tensor).
 */
export class GATLayer extends DenseGATBase {
  constructor(inFeatures: number, rng: Rng, opts: DenseGATOptions = {}) {
    const E = opts.embedDim ?? inFeatures;
    super(inFeatures, inFeatures, E, 2 * E, rng, opts);
  }

  protected scores(x: tf.Tensor3D): { e: tf.Tensor3D; projected: tf.Tensor3D } {
    const E = this.embedDim;
    const wh = this.lin.forward(x) as tf.Tensor3D; // [B, N, E]
    const [a1, a2] = tf.split(this.a, [E, E], 0) as [tf.Tensor2D, tf.Tensor2D];
    const si = tf.matMul(wh, a1); // [B, N, 1]: the i (query) half
    const sj = tf.matMul(wh, a2); // [B, N, 1]: the j (neighbour) half
    const e = tf.leakyRelu(tf.add(si, tf.transpose(sj, [0, 2, 1])), this.alpha) as tf.Tensor3D;
    return { e, projected: wh };
  }
}

/**
 * GATv2 (Brody et al. 2022) score on a dense node set: e_ij = aᵀ LeakyReLU(W[h_i ‖ h_j] + b),
 * then as GATLayer. `lin`: 2F → E (default E = 2F, ML4ITS), `a` [E, 1]. W[h_i ‖ h_j] is
 * computed as W₁h_i + W₂h_j broadcast to [B, N, N, E] without building the concatenation.
 * 'projected' aggregation averages W₂h_j (the neighbour half of W).
 */
export class GATv2Layer extends DenseGATBase {
  constructor(inFeatures: number, rng: Rng, opts: DenseGATOptions = {}) {
    const E = opts.embedDim ?? 2 * inFeatures;
    super(inFeatures, 2 * inFeatures, E, E, rng, opts);
  }

  protected scores(x: tf.Tensor3D): { e: tf.Tensor3D; projected: tf.Tensor3D } {
    const [B, N, F] = x.shape;
    const E = this.embedDim;
    const [w1, w2] = tf.split(this.lin.weight, [F, F], 1) as [tf.Tensor2D, tf.Tensor2D];
    const x2 = tf.reshape(x, [B * N, F]);
    let p = tf.matMul(x2, w1, false, true); // [B·N, E]: the h_i part
    if (this.lin.bias) p = tf.add(p, this.lin.bias);
    const q = tf.matMul(x2, w2, false, true); // [B·N, E]: the h_j part
    const pre = tf.add(tf.reshape(p, [B, N, 1, E]), tf.reshape(q, [B, 1, N, E]));
    const act = tf.leakyRelu(pre, this.alpha);
    const e = tf.reshape(tf.matMul(tf.reshape(act, [B * N * N, E]), this.a), [B, N, N]) as tf.Tensor3D;
    return { e, projected: tf.reshape(q, [B, N, E]) as tf.Tensor3D };
  }
}
