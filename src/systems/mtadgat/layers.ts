/**
 * MTAD-GAT's layers, as ML4ITS/mtad-gat-pytorch `modules.py` defines them (parameter names and
 * layouts are PyTorch's, so the reference's state dict loads unchanged):
 *
 * - `ConvLayer`: zero-pad (K−1)/2 on both ends of time, Conv1d(k → k, K), ReLU.
 * - `FeatureAttentionLayer` / `TemporalAttentionLayer`: dense graph attention over the k features
 *   (node = a feature's n-long series) or the n timestamps (node = the k-vector of one step).
 *   GATv2 (default): e_ij = aᵀ LeakyReLU(W[v_i ‖ v_j] + b_W) + β_ij; GAT: e_ij = LeakyReLU(aᵀ[Wv_i ‖ Wv_j]) + β_ij;
 *   α = softmax_j(e), dropout on α, h_i = σ(Σ_j α_ij v_j) with the *raw* node vectors.
 * - `GRULayer`, `ForecastingModel` (fcNLayers + 1 linear layers), `ReconstructionModel` (GRU
 *   decoder fed by the reference's repeat_interleave index map, or per-step tiling).
 * - `VaeReconstructionModel`: the paper's VAE variant (not in the reference; our names).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../../nn/module.js';
import { Linear } from '../../nn/linear.js';
import { Conv1d } from '../../nn/conv.js';
import { GRU } from '../../nn/gru.js';
import { Dropout } from '../../nn/dropout.js';
import { GATLayer, GATv2Layer } from '../../nn/gat.js';
import type { Rng } from '../../util/random.js';
import type { DecoderInput } from './config.js';

/** 1-D convolution over time with "same" zero padding, then ReLU: (b, n, k) → (b, n, k). */
export class ConvLayer extends Module {
  readonly conv: Conv1d;
  constructor(nFeatures: number, kernelSize: number, rng: Rng) {
    super();
    // nn.ConstantPad1d((K − 1) // 2) pads both ends, so odd K keeps the length n.
    this.conv = this.module('conv', new Conv1d(nFeatures, nFeatures, kernelSize, rng, { padding: (kernelSize - 1) / 2 }));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => tf.relu(this.conv.forwardChannelsLast(x)));
  }
}

/** Output of an attention layer: new node values and the attention weights (after dropout). */
export interface AttentionOutput {
  /** (b, n, k), as the layer's input. */
  h: tf.Tensor3D;
  /** (b, K, K): row i = how node i attends over the nodes j. Only returned on request. */
  attention: tf.Tensor3D | null;
}

/**
 * The reference's dense single-head attention over K nodes of D values: the shared dense GAT
 * layers (src/nn/gat.ts) in their ML4ITS form — raw inputs aggregated, a sigmoid, a learned
 * [K, K] score bias, dropout on the weights. GATv2 applies W after concatenating, so the
 * reference doubles the embedding size. The layer keeps the shared layer's parameter names
 * (`lin`, `a`, `bias`), which are the reference's.
 */
abstract class DenseGraphAttention extends Module {
  private readonly gat: GATLayer | GATv2Layer;
  /** E: output size of `lin`. */
  readonly embedDim: number;

  protected constructor(numNodes: number, nodeDim: number, embedDim: number | null, useGatv2: boolean, alpha: number, dropout: number, rng: Rng) {
    super();
    const e = (embedDim ?? nodeDim) * (useGatv2 ? 2 : 1);
    const opts = { embedDim: e, alpha, numNodes, dropout, dropoutRng: rng };
    this.gat = useGatv2 ? new GATv2Layer(nodeDim, rng, opts) : new GATLayer(nodeDim, rng, opts);
    this.adopt(this.gat);
    this.embedDim = e;
  }

  /** The learned score bias [K, K]. */
  get bias(): tf.Variable<tf.Rank.R2> {
    return this.gat.bias!;
  }

  /** Attention over nodes: V (b, K, D) → σ(α V) (b, K, D), plus α (b, K, K) when asked. */
  protected attend(v: tf.Tensor3D, keepAttention: boolean): { h: tf.Tensor3D; attention: tf.Tensor3D | null } {
    const { output, weights } = this.gat.forward(v, { returnWeights: keepAttention });
    return { h: output, attention: weights };
  }
}

/**
 * Feature-oriented graph attention: nodes are the k features, each the n values of its series.
 * (b, n, k) → (b, n, k). `attention` is (b, k, k).
 */
export class FeatureAttentionLayer extends DenseGraphAttention {
  constructor(nFeatures: number, windowSize: number, dropout: number, alpha: number, embedDim: number | null, useGatv2: boolean, rng: Rng) {
    super(nFeatures, windowSize, embedDim, useGatv2, alpha, dropout, rng);
  }

  forward(x: tf.Tensor3D, keepAttention = false): AttentionOutput {
    const xt = tf.transpose(x, [0, 2, 1]) as tf.Tensor3D;
    const { h, attention } = this.attend(xt, keepAttention);
    xt.dispose();
    const out = tf.transpose(h, [0, 2, 1]) as tf.Tensor3D;
    h.dispose();
    return { h: out, attention };
  }
}

/**
 * Time-oriented graph attention: nodes are the n timestamps, each the k-vector of that step.
 * (b, n, k) → (b, n, k). `attention` is (b, n, n).
 */
export class TemporalAttentionLayer extends DenseGraphAttention {
  constructor(nFeatures: number, windowSize: number, dropout: number, alpha: number, embedDim: number | null, useGatv2: boolean, rng: Rng) {
    super(windowSize, nFeatures, embedDim, useGatv2, alpha, dropout, rng);
  }

  forward(x: tf.Tensor3D, keepAttention = false): AttentionOutput {
    return this.attend(x, keepAttention);
  }
}

/** The reference's `GRULayer`: a batch-first GRU; returns the last layer's final hidden state (b, H). */
export class GRULayer extends Module {
  readonly gru: GRU;
  constructor(inDim: number, hidDim: number, nLayers: number, dropout: number, rng: Rng) {
    super();
    // Inter-layer dropout only exists with more than one layer (the reference sets 0 otherwise).
    this.gru = this.module('gru', new GRU(inDim, hidDim, rng, { numLayers: nLayers, batchFirst: true, dropout: nLayers === 1 ? 0 : dropout }));
  }

  forward(x: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const { hN } = this.gru.forward(x);
      const L = hN.shape[0];
      return tf.reshape(tf.slice(hN, [L - 1, 0, 0], [1, hN.shape[1], hN.shape[2]]), [hN.shape[1], hN.shape[2]]) as tf.Tensor2D;
    });
  }
}

/** Forecasting MLP: (Linear–ReLU–Dropout) × nLayers, then Linear(hid → out): (b, H) → (b, out). */
export class ForecastingModel extends Module {
  readonly layers: ModuleList<Linear>;
  private readonly drop: Dropout;
  constructor(inDim: number, hidDim: number, outDim: number, nLayers: number, dropout: number, rng: Rng) {
    super();
    const ls: Linear[] = [new Linear(inDim, hidDim, rng)];
    for (let i = 0; i < nLayers - 1; i++) ls.push(new Linear(hidDim, hidDim, rng));
    ls.push(new Linear(hidDim, outDim, rng));
    this.layers = this.module('layers', new ModuleList(ls));
    this.drop = this.module('dropout', new Dropout(dropout, rng));
  }

  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h: tf.Tensor = x;
      const n = this.layers.length;
      for (let i = 0; i < n - 1; i++) h = this.drop.forward(tf.relu(this.layers.at(i).forward(h)));
      return this.layers.at(n - 1).forward(h) as tf.Tensor2D;
    });
  }
}

/**
 * The decoder's input sequence built from h (b, H).
 * `reference`: `h.repeat_interleave(n, 1).view(b, n, H)` — row t, column j holds h[⌊(H·t + j)/n⌋]
 * (with H = 150, n = 100 each row sees only 2–3 distinct hidden units); `tiled`: h at every step.
 * Built from expandDims + tile + reshape (no gather, so the gradient runs on WASM).
 */
export function decoderInputSequence(h: tf.Tensor2D, n: number, mode: DecoderInput): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, H] = h.shape;
    if (mode === 'tiled') return tf.tile(tf.expandDims(h, 1), [1, n, 1]) as tf.Tensor3D;
    return tf.reshape(tf.tile(tf.expandDims(h, 2), [1, 1, n]), [b, n, H]) as tf.Tensor3D;
  });
}

/** The reference's `RNNDecoder`: a batch-first GRU returning every step's output. */
export class RNNDecoder extends Module {
  readonly rnn: GRU;
  constructor(inDim: number, hidDim: number, nLayers: number, dropout: number, rng: Rng) {
    super();
    this.rnn = this.module('rnn', new GRU(inDim, hidDim, rng, { numLayers: nLayers, batchFirst: true, dropout: nLayers === 1 ? 0 : dropout }));
  }

  forward(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.rnn.forward(x).output);
  }
}

/** GRU reconstruction model: h (b, H) → decoder input (b, n, H) → GRU → Linear → (b, n, out). */
export class ReconstructionModel extends Module {
  readonly decoder: RNNDecoder;
  readonly fc: Linear;
  constructor(
    readonly windowSize: number,
    inDim: number,
    hidDim: number,
    outDim: number,
    nLayers: number,
    dropout: number,
    readonly decoderInput: DecoderInput,
    rng: Rng,
  ) {
    super();
    this.decoder = this.module('decoder', new RNNDecoder(inDim, hidDim, nLayers, dropout, rng));
    this.fc = this.module('fc', new Linear(hidDim, outDim, rng));
  }

  forward(h: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const seq = decoderInputSequence(h, this.windowSize, this.decoderInput);
      return this.fc.forward(this.decoder.forward(seq)) as tf.Tensor3D;
    });
  }
}

/** What the VAE returns: the Gaussian decoder's mean and log-variance and the latent posterior. */
export interface VaeOutput {
  /** Reconstruction mean (b, n, out). */
  mean: tf.Tensor3D;
  /** Reconstruction log-variance (b, n, out), clipped to [−10, 10] for stability. */
  logVar: tf.Tensor3D;
  /** Posterior mean and log-variance of z (b, latent). */
  zMean: tf.Tensor2D;
  zLogVar: tf.Tensor2D;
}

/**
 * The paper's reconstruction model (Zhao et al. §III-D), which the reference replaced: a VAE
 * whose encoder reads the GRU's last hidden state h and whose Gaussian decoder emits the window.
 * encoder: Linear(H → d)–ReLU, then `z_mean`, `z_log_var` Linear(d → latent);
 * decoder: Linear(latent → d)–ReLU, then `x_mean`, `x_log_var` Linear(d → n·out).
 * z is sampled (reparameterised, seeded) in training and set to its mean in eval mode, so scores
 * are deterministic.
 */
export class VaeReconstructionModel extends Module {
  readonly encoder: Linear;
  readonly zMean: Linear;
  readonly zLogVar: Linear;
  readonly decoder: Linear;
  readonly xMean: Linear;
  readonly xLogVar: Linear;
  constructor(
    readonly windowSize: number,
    inDim: number,
    hidDim: number,
    readonly latentDim: number,
    readonly outDim: number,
    private readonly rng: Rng,
  ) {
    super();
    this.encoder = this.module('encoder', new Linear(inDim, hidDim, rng));
    this.zMean = this.module('z_mean', new Linear(hidDim, latentDim, rng));
    this.zLogVar = this.module('z_log_var', new Linear(hidDim, latentDim, rng));
    this.decoder = this.module('decoder', new Linear(latentDim, hidDim, rng));
    this.xMean = this.module('x_mean', new Linear(hidDim, windowSize * outDim, rng));
    this.xLogVar = this.module('x_log_var', new Linear(hidDim, windowSize * outDim, rng));
  }

  protected override ownRngs(): Array<[string, Rng]> {
    return [['rng', this.rng]];
  }

  forward(h: tf.Tensor2D): VaeOutput {
    const seed = this.training ? this.rng.tfSeed() : 0;
    return tf.tidy(() => {
      const b = h.shape[0];
      const enc = tf.relu(this.encoder.forward(h));
      const zMean = this.zMean.forward(enc) as tf.Tensor2D;
      const zLogVar = tf.clipByValue(this.zLogVar.forward(enc), -10, 10) as tf.Tensor2D;
      const z = this.training ? tf.add(zMean, tf.mul(tf.exp(tf.mul(zLogVar, 0.5)), tf.randomNormal(zMean.shape, 0, 1, 'float32', seed))) : zMean;
      const dec = tf.relu(this.decoder.forward(z));
      const shape: [number, number, number] = [b, this.windowSize, this.outDim];
      const mean = tf.reshape(this.xMean.forward(dec), shape) as tf.Tensor3D;
      const logVar = tf.reshape(tf.clipByValue(this.xLogVar.forward(dec), -10, 10), shape) as tf.Tensor3D;
      return { mean, logVar, zMean, zLogVar };
    });
  }
}
