/**
 * StemGNN (Cao et al., NeurIPS 2020) as the official code (microsoft/StemGNN,
 * `models/base_model.py`) computes it; parameter names and layouts are the official ones, so its
 * state dict loads unchanged. See docs/research/timeseries.md §1.1 for every detail followed here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, ModuleList } from '../../nn/module.js';
import { Linear } from '../../nn/linear.js';
import { GLU } from '../../nn/glu.js';
import { GRU } from '../../nn/gru.js';
import { Conv1d } from '../../nn/conv.js';
import { Dropout } from '../../nn/dropout.js';
import { xavierNormal, xavierUniform } from '../../nn/init.js';
import { Rng } from '../../util/random.js';
import { CHEB_ORDERS, STACK_COUNT, resolveModelConfig, type StemGNNModelConfig } from './config.js';
import { forwardDftMatrix, hermitianInverseDftMatrix } from './spectral.js';
import { additiveAttention, batchGraphLaplacian, chebyshevStack } from './latent-correlation.js';

/**
 * One StemGNN block (`StockBlockLayer`): graph "Fourier" transform with the Chebyshev stack,
 * Spe-Seq cell (DFT → 3 GLUs per real/imaginary branch → Hermitian inverse DFT), per-order dense
 * map summed over orders, forecast head and (first block only) the sigmoid backcast.
 */
export class StemGNNBlock extends Module {
  /** Per-order map [1, 4, 1, mT, mT] (xavier-normal). */
  readonly weight: tf.Variable;
  readonly forecast: Linear;
  readonly forecastResult: Linear;
  readonly backcast: Linear | null;
  readonly backcastShortCut: Linear;
  readonly glus: ModuleList<GLU>;
  readonly convReal: Conv1d | null;
  readonly convImag: Conv1d | null;
  private readonly dft: tf.Tensor2D;
  private readonly idft: tf.Tensor2D;
  private readonly T: number;
  private readonly mT: number;

  constructor(
    readonly config: StemGNNModelConfig,
    readonly stackIndex: number,
    rng: Rng,
  ) {
    super();
    const T = config.window;
    const mT = config.multiLayer * T;
    this.T = T;
    this.mT = mT;
    // Registration order follows the official __init__ (it fixes the order of random draws only).
    this.weight = this.param('weight', xavierNormal(rng, [1, CHEB_ORDERS, 1, mT, mT]));
    this.forecast = this.module('forecast', new Linear(mT, mT, rng));
    this.forecastResult = this.module('forecast_result', new Linear(mT, T, rng));
    this.backcast = stackIndex === 0 ? this.module('backcast', new Linear(mT, T, rng)) : null;
    // Block 1 owns this too and never uses it (156 parameters without gradient at T = 12).
    this.backcastShortCut = this.module('backcast_short_cut', new Linear(T, T, rng));
    const width = CHEB_ORDERS * mT;
    const glus: GLU[] = [];
    for (let i = 0; i < 3; i++) {
      const inF = i === 0 ? CHEB_ORDERS * T : width;
      glus.push(new GLU(inF, width, rng), new GLU(inF, width, rng)); // even: real, odd: imaginary
    }
    this.glus = this.module('GLUs', new ModuleList(glus));
    const k = config.speSeqConv;
    this.convReal = k > 0 ? this.module('conv_real', new Conv1d(CHEB_ORDERS, CHEB_ORDERS, k, rng, { padding: 'same' })) : null;
    this.convImag = k > 0 ? this.module('conv_imag', new Conv1d(CHEB_ORDERS, CHEB_ORDERS, k, rng, { padding: 'same' })) : null;
    this.dft = forwardDftMatrix(T);
    this.idft = hermitianInverseDftMatrix(mT);
  }

  /**
   * `x` [B·N, T] (row b·N + n is node n of sample b), `mulL` [4, N, N]. Returns the forecast
   * [B·N, T] and the next block's input [B·N, T] (null for the last block).
   */
  forward(x: tf.Tensor2D, mulL: tf.Tensor3D, B: number): { forecast: tf.Tensor2D; backcast: tf.Tensor2D | null } {
    const [forecast, backcast] = tf.tidy(() => {
      const { T, mT } = this;
      const K = CHEB_ORDERS;
      const N = mulL.shape[1];
      // Graph step: G[k, n, b, t] = Σ_j T_k[n, j] · x[b, j, t], one [4N, N] × [N, B·T] product.
      const xt = tf.reshape(tf.transpose(tf.reshape(x, [B, N, T]), [1, 0, 2]), [N, B * T]);
      const g = tf.matMul(tf.reshape(mulL, [K * N, N]), xt);
      // → [B, N, K, T]: the official permute(0, 2, 1, 3) layout, so flattening gives index k·T + f.
      const gb = tf.reshape(tf.transpose(tf.reshape(g, [K, N, B, T]), [2, 1, 0, 3]), [B * N * K, T]);
      // Two-sided DFT along time: [Re | Im].
      const spec = tf.matMul(gb, this.dft);
      let [re, im] = tf.split(spec, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      if (this.convReal && this.convImag) {
        re = this.frequencyConv(this.convReal, re, B * N);
        im = this.frequencyConv(this.convImag, im, B * N);
      }
      let real: tf.Tensor = tf.reshape(re, [B * N, K * T]);
      let imag: tf.Tensor = tf.reshape(im, [B * N, K * T]);
      for (let i = 0; i < 3; i++) {
        real = this.glus.at(2 * i).forward(real);
        imag = this.glus.at(2 * i + 1).forward(imag);
      }
      // Hermitian inverse DFT of length mT for each (sample, node, order), then the per-order
      // map summed over orders: both are plain matmuls in the [B·N, K·mT] layout.
      const both = tf.concat([tf.reshape(real, [B * N * K, mT]), tf.reshape(imag, [B * N * K, mT])], 1);
      const inv = tf.matMul(both, this.idft);
      const z = tf.matMul(tf.reshape(inv, [B * N, K * mT]), tf.reshape(this.weight, [K * mT, mT])) as tf.Tensor2D;
      const forecast = this.forecastResult.forward(tf.sigmoid(this.forecast.forward(z))) as tf.Tensor2D;
      let backcast: tf.Tensor2D | null = null;
      if (this.backcast) {
        const bc = this.backcast.forward(z);
        backcast = (this.config.residualBackcast ? tf.sub(x, bc) : tf.sigmoid(tf.sub(bc, this.backcastShortCut.forward(x)))) as tf.Tensor2D;
      }
      return backcast ? [forecast, backcast] : [forecast];
    });
    return { forecast: forecast!, backcast: backcast ?? null };
  }

  /** Paper variant: Conv1d over the T frequency bins with the 4 orders as channels, [R·4, T] → same. */
  private frequencyConv(conv: Conv1d, s: tf.Tensor2D, rows: number): tf.Tensor2D {
    return tf.tidy(() => {
      const x = tf.transpose(tf.reshape(s, [rows, CHEB_ORDERS, this.T]), [0, 2, 1]) as tf.Tensor3D;
      const y = conv.forwardChannelsLast(x);
      return tf.reshape(tf.transpose(y, [0, 2, 1]), [rows * CHEB_ORDERS, this.T]) as tf.Tensor2D;
    });
  }

  override dispose(): void {
    this.dft.dispose();
    this.idft.dispose();
    super.dispose();
  }
}

/** The output head `fc`: Linear(T, T) → LeakyReLU(0.01) → Linear(T, H), named `fc.0`, `fc.2`. */
class OutputHead extends Module {
  readonly first: Linear;
  readonly last: Linear;
  constructor(T: number, H: number, rng: Rng) {
    super();
    this.first = this.module('0', new Linear(T, T, rng));
    this.last = this.module('2', new Linear(T, H, rng));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.last.forward(tf.leakyRelu(this.first.forward(x), 0.01)));
  }
}

/** What {@link StemGNN.forward} returns. */
export interface StemGNNOutput {
  /** Forecast [B, H, N] on the normalised scale. */
  forecast: tf.Tensor3D;
  /** The learned graph of this batch, A_s = (A + Aᵀ)/2 of the batch-mean attention, [N, N]. */
  attention: tf.Tensor2D;
}

/**
 * The StemGNN model. Input windows x [B, T, N] (normalised), output [B, H, N].
 *
 * The learned graph is the mean over the mini-batch (so a window's forecast depends on its
 * batch-mates, as in the official code); call `eval()` before inference to switch off the
 * attention dropout.
 */
export class StemGNNNet extends Module {
  readonly config: StemGNNModelConfig;
  readonly weightKey: tf.Variable<tf.Rank.R2>;
  readonly weightQuery: tf.Variable<tf.Rank.R2>;
  readonly gru: GRU;
  readonly blocks: ModuleList<StemGNNBlock>;
  readonly fc: OutputHead;
  private readonly dropout: Dropout;

  /** `config` needs at least `nodes`; the rest defaults to the official values. `seed` drives init and dropout. */
  constructor(config: Partial<StemGNNModelConfig> & { nodes: number }, seed = 0) {
    super();
    const cfg = resolveModelConfig(config);
    this.config = cfg;
    const rng = new Rng(seed);
    const N = cfg.nodes;
    this.weightKey = this.param('weight_key', xavierUniform(rng, [N, 1], 1.414) as tf.Tensor2D);
    this.weightQuery = this.param('weight_query', xavierUniform(rng, [N, 1], 1.414) as tf.Tensor2D);
    // The GRU reads the node axis as its sequence: input size T, hidden size N.
    this.gru = this.module('GRU', new GRU(cfg.window, N, rng));
    const blocks: StemGNNBlock[] = [];
    for (let i = 0; i < STACK_COUNT; i++) blocks.push(new StemGNNBlock(cfg, i, rng));
    this.blocks = this.module('stock_block', new ModuleList(blocks));
    this.fc = this.module('fc', new OutputHead(cfg.window, cfg.horizon, rng));
    this.dropout = this.module('dropout', new Dropout(cfg.attentionDropout, rng.fork()));
  }

  /**
   * Latent correlation layer: x [B, T, N] → Chebyshev stack `mulL` [4, N, N] and the symmetrised
   * batch graph [N, N]. In training mode the per-sample attention goes through dropout first.
   */
  latentCorrelation(x: tf.Tensor3D): { mulL: tf.Tensor3D; attention: tf.Tensor2D } {
    return tf.tidy(() => {
      this.checkInput(x);
      const { output } = this.gru.forward(tf.transpose(x, [0, 2, 1]) as tf.Tensor3D); // [B, N(seq), N(hidden)]
      let att: tf.Tensor3D = additiveAttention(output, this.weightKey, this.weightQuery, this.config.leakyRate);
      att = this.dropout.forward(att) as tf.Tensor3D;
      const { laplacian, graph } = batchGraphLaplacian(att);
      return { mulL: chebyshevStack(laplacian), attention: graph };
    });
  }

  /** Forecast for windows x [B, T, N] → [B, H, N], plus the batch's graph. */
  forward(x: tf.Tensor3D): StemGNNOutput {
    return tf.tidy(() => {
      const { mulL, attention } = this.latentCorrelation(x);
      const [B, T, N] = x.shape;
      let input = tf.reshape(tf.transpose(x, [0, 2, 1]), [B * N, T]) as tf.Tensor2D;
      let sum: tf.Tensor | null = null;
      for (let i = 0; i < this.blocks.length; i++) {
        const { forecast, backcast } = this.blocks.at(i).forward(input, mulL, B);
        sum = sum ? tf.add(sum, forecast) : forecast;
        if (backcast) input = backcast;
      }
      const y = this.fc.forward(sum!); // [B·N, H]
      const forecast = tf.transpose(tf.reshape(y, [B, N, this.config.horizon]), [0, 2, 1]) as tf.Tensor3D;
      return { forecast, attention };
    });
  }

  private checkInput(x: tf.Tensor): void {
    const { window, nodes } = this.config;
    if (x.rank !== 3 || x.shape[1] !== window || x.shape[2] !== nodes) {
      throw new Error(`StemGNN: expected windows [B, ${window}, ${nodes}], got [${x.shape.join(', ')}]`);
    }
  }
}

/**
 * The parameter count of the official model, from the formula in docs/research/timeseries.md §1.1 (for
 * checking; {@link StemGNNNet.numParameters} counts the real tensors).
 */
export function officialParameterCount(N: number, T: number, m: number, H: number): number {
  const mT = m * T;
  const glu = (i: number, o: number) => 2 * (i * o + o);
  const block = 4 * mT * mT + (mT * mT + mT) + (mT * T + T) + (T * T + T) + 2 * glu(4 * T, 4 * mT) + 4 * glu(4 * mT, 4 * mT);
  return 2 * N + 3 * (N * T + N * N + 2 * N) + 2 * block + (mT * T + T) + (T * T + T) + (T * H + H);
}
