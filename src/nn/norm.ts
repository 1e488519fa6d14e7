/**
 * Normalisation layers with PyTorch's parameter names, initialisation and numerics:
 * `LayerNorm`, `RMSNorm` (LLaMA form) and `BatchNorm1d` (with running statistics buffers).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';

export interface LayerNormOptions {
  /** Added to the variance (PyTorch default 1e-5). */
  eps?: number;
  /** Learn a per-element scale and shift (default true). */
  elementwiseAffine?: boolean;
  /** Learn the shift (default true; PyTorch ≥ 2.1's `bias=False` turns it off). */
  bias?: boolean;
}

/**
 * `torch.nn.LayerNorm`: normalise over the last `normalizedShape.length` dims with the biased
 * variance, then scale by `weight` (ones) and shift by `bias` (zeros), both shaped
 * `normalizedShape`. Input [..., *normalizedShape] → same shape.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;

  constructor(normalizedShape: number | number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    if (this.normalizedShape.length === 0 || this.normalizedShape.some((d) => !(Number.isInteger(d) && d > 0))) {
      throw new Error(`LayerNorm: normalizedShape must be positive integers, got [${this.normalizedShape}]`);
    }
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param('weight', tf.ones(this.normalizedShape)) : null;
    this.bias = affine && (opts.bias ?? true) ? this.param('bias', tf.zeros(this.normalizedShape)) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    const k = this.normalizedShape.length;
    const tail = x.shape.slice(x.rank - k);
    if (x.rank < k || tail.join() !== this.normalizedShape.join()) {
      throw new Error(`LayerNorm: input [${x.shape}] does not end in the normalized shape [${this.normalizedShape}]`);
    }
    return tf.tidy(() => {
      const axes = Array.from({ length: k }, (_, i) => x.rank - k + i);
      const mean = tf.mean(x, axes, true);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axes, true);
      let y = tf.mul(centred, tf.rsqrt(tf.add(variance, this.eps)));
      if (this.weight) y = tf.mul(y, this.weight);
      if (this.bias) y = tf.add(y, this.bias);
      return y;
    });
  }
}

export interface RMSNormOptions {
  /** Added to the mean square (default 1e-6, LLaMA's `rms_norm_eps`). */
  eps?: number;
  /**
   * Divide the sum of squares by this width instead of the input's last dim. NutePrune's
   * LLaMA divides by the *original* hidden size so that pruned (zeroed or sliced) channels do not
   * change the normalisation (docs/research/sequence.md §2(f)). Default: the last dim.
   */
  normalizedWidth?: number;
}

/**
 * RMSNorm as LLaMA / `torch.nn.RMSNorm`: y = x / √(Σx²/d + eps) ⊙ weight, `weight` [dim]
 * initialised to ones, no bias. Input [..., dim] → same shape.
 */
export class RMSNorm extends Module {
  readonly eps: number;
  readonly normalizedWidth: number;
  readonly weight: tf.Variable<tf.Rank.R1>;

  constructor(
    readonly dim: number,
    opts: RMSNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-6;
    this.normalizedWidth = opts.normalizedWidth ?? dim;
    this.weight = this.param('weight', tf.ones([dim]) as tf.Tensor1D);
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (x.shape[x.rank - 1] !== this.dim) throw new Error(`RMSNorm: input [${x.shape}] must end in ${this.dim}`);
    return tf.tidy(() => {
      const ms = tf.div(tf.sum(tf.square(x), -1, true), this.normalizedWidth);
      return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, this.eps))), this.weight);
    });
  }
}

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Running-average factor (default 0.1); null = cumulative average as PyTorch's `momentum=None`. */
  momentum?: number | null;
  /** Learn γ (`weight`, ones) and β (`bias`, zeros) (default true). */
  affine?: boolean;
  /** Keep `running_mean`, `running_var`, `num_batches_tracked` buffers and use them in eval (default true). */
  trackRunningStats?: boolean;
}

/**
 * `torch.nn.BatchNorm1d` over [N, C] or [N, C, L] input (channels on axis 1, as PyTorch).
 * Training: normalise with the batch mean and biased variance over N (and L) and update
 * `running_mean` / `running_var` (the latter with the unbiased variance) and
 * `num_batches_tracked`; eval: normalise with the running statistics.
 */
export class BatchNorm1d extends Module {
  readonly eps: number;
  readonly momentum: number | null;
  readonly weight: tf.Variable<tf.Rank.R1> | null;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  readonly runningMean: tf.Variable<tf.Rank.R1> | null;
  readonly runningVar: tf.Variable<tf.Rank.R1> | null;
  readonly numBatchesTracked: tf.Variable<tf.Rank.R0> | null;

  constructor(
    readonly numFeatures: number,
    opts: BatchNormOptions = {},
  ) {
    super();
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? this.param('weight', tf.ones([numFeatures]) as tf.Tensor1D) : null;
    this.bias = affine ? this.param('bias', tf.zeros([numFeatures]) as tf.Tensor1D) : null;
    const track = opts.trackRunningStats ?? true;
    this.runningMean = track ? this.buffer('running_mean', tf.zeros([numFeatures]) as tf.Tensor1D) : null;
    this.runningVar = track ? this.buffer('running_var', tf.ones([numFeatures]) as tf.Tensor1D) : null;
    // PyTorch stores a 0-d int64; int32 here (loadStateDict casts).
    this.numBatchesTracked = track ? this.buffer('num_batches_tracked', tf.scalar(0, 'int32')) : null;
  }

  forward(x: tf.Tensor): tf.Tensor {
    if ((x.rank !== 2 && x.rank !== 3) || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm1d: expected [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got [${x.shape}]`);
    }
    const axes = x.rank === 2 ? [0] : [0, 2];
    const statShape = x.rank === 2 ? [1, this.numFeatures] : [1, this.numFeatures, 1];
    const useBatch = this.training || !this.runningMean;
    const count = x.rank === 2 ? x.shape[0]! : x.shape[0]! * x.shape[2]!;
    if (useBatch && count < 2 && this.training) {
      throw new Error(`BatchNorm1d: expected more than 1 value per channel when training, got input [${x.shape}]`);
    }
    if (useBatch && x.rank === 2 && this.weight && this.bias) return this.forwardBatch2d(x, count);
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (useBatch) {
        mean = tf.mean(x, axes);
        variance = tf.mean(tf.square(tf.sub(x, tf.reshape(mean, statShape))), axes);
        if (this.training && this.runningMean) this.updateRunningStats(mean, variance, count);
      } else {
        mean = this.runningMean!;
        variance = this.runningVar!;
      }
      let y = tf.mul(tf.sub(x, tf.reshape(mean, statShape)), tf.reshape(tf.rsqrt(tf.add(variance, this.eps)), statShape));
      if (this.weight) y = tf.mul(y, tf.reshape(this.weight, statShape));
      if (this.bias) y = tf.add(y, tf.reshape(this.bias, statShape));
      return y;
    });
  }

  /**
   * Batch statistics over [N, C] with the analytic gradient (one customGrad instead of the taped
   * mean/variance chain: about a third of the kernels, which is most of the cost at GNN sizes):
   *   y = γ·x̂ + β,  x̂ = (x − μ)·σ⁻¹;  dβ = Σ dy,  dγ = Σ dy·x̂,
   *   dx = σ⁻¹·(γ·dy − γ·dβ/N − x̂·γ·dγ/N).
   */
  private forwardBatch2d(x: tf.Tensor, count: number): tf.Tensor {
    let stats: [tf.Tensor, tf.Tensor] | null = null;
    const op = tf.customGrad(((xin: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: (ts: tf.Tensor[]) => void) => {
      const mean = tf.mean(xin, 0);
      const xc = tf.sub(xin, mean);
      const variance = tf.mean(tf.square(xc), 0);
      const invstd = tf.rsqrt(tf.add(variance, this.eps));
      const xhat = tf.mul(xc, invstd);
      save([xhat, invstd, g]);
      if (this.training && this.runningMean) stats = [tf.keep(mean), tf.keep(variance)];
      return {
        value: tf.add(tf.mul(xhat, g), b),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xh, inv, gamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const db = tf.sum(dy, 0);
          const dg = tf.sum(tf.mul(dy, xh), 0);
          const gN = tf.div(gamma, count);
          const dx = tf.mul(tf.sub(tf.sub(tf.mul(dy, gamma), tf.mul(db, gN)), tf.mul(xh, tf.mul(dg, gN))), inv);
          return [dx, dg, db];
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor;
    const y = op(x, this.weight!, this.bias!);
    if (stats) {
      const [m, v] = stats as [tf.Tensor, tf.Tensor];
      this.updateRunningStats(m, v, count);
      tf.dispose([m, v]);
    }
    return y;
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    tf.tidy(() => {
      const nbt = tf.add(this.numBatchesTracked!, tf.scalar(1, 'int32')) as tf.Scalar;
      this.numBatchesTracked!.assign(nbt);
      // momentum=None: cumulative average with factor 1/num_batches_tracked, as PyTorch.
      const factor: tf.Tensor | number = this.momentum === null ? tf.div(1, tf.cast(nbt, 'float32')) : this.momentum;
      const unbiased = tf.mul(variance, count / (count - 1));
      const keep = tf.sub(1, factor);
      this.runningMean!.assign(tf.add(tf.mul(this.runningMean!, keep), tf.mul(mean, factor)) as tf.Tensor1D);
      this.runningVar!.assign(tf.add(tf.mul(this.runningVar!, keep), tf.mul(unbiased, factor)) as tf.Tensor1D);
    });
  }
}
