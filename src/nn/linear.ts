import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { fanInUniform, kaimingUniform } from './init.js';
import { Rng } from '../util/random.js';

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Initialiser of `weight` [out, in] instead of nn.Linear's (e.g. N(0, 0.02) as Hugging Face LLaMA). */
  weightInit?: (rng: Rng, shape: number[]) => tf.Tensor;
  /** Initialiser of `bias` [out] instead of nn.Linear's. */
  biasInit?: (rng: Rng, shape: number[]) => tf.Tensor;
}

/** The structural interface of a linear layer: what code that calls a `Linear` needs (a LoRA wrapper has it too). */
export interface LinearLike extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  forward(x: tf.Tensor): tf.Tensor;
}

/**
 * y = x·Wᵀ + b, as `torch.nn.Linear`: `weight` is [out, in], initialised U(±1/√in) (Kaiming
 * uniform with a = √5), `bias` [out] likewise. Works on any leading shape [..., in].
 */
export class Linear extends Module {
  readonly weight: tf.Variable<tf.Rank.R2>;
  readonly bias: tf.Variable<tf.Rank.R1> | null;
  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
    opts: LinearOptions = {},
  ) {
    super();
    this.weight = this.param('weight', (opts.weightInit ?? ((r, sh) => kaimingUniform(r, sh)))(rng, [outFeatures, inFeatures]) as tf.Tensor2D);
    if (this.weight.shape[0] !== outFeatures || this.weight.shape[1] !== inFeatures) throw new Error(`Linear: weightInit gave [${this.weight.shape}], expected [${outFeatures}, ${inFeatures}]`);
    this.bias = opts.bias === false ? null : this.param('bias', (opts.biasInit ?? ((r, sh) => fanInUniform(r, sh, inFeatures)))(rng, [outFeatures]) as tf.Tensor1D);
  }

  /** A Linear holding copies of `weight` [out, in] and `bias` [out] (e.g. a merged LoRA layer). */
  static fromTensors(weight: tf.Tensor2D, bias: tf.Tensor1D | null = null): Linear {
    const [out, inp] = weight.shape;
    if (bias && bias.shape[0] !== out) throw new Error(`Linear.fromTensors: bias [${bias.shape}] for weight [${weight.shape}]`);
    return new Linear(inp, out, new Rng(0), {
      bias: bias !== null,
      weightInit: () => tf.clone(weight),
      biasInit: () => tf.clone(bias!),
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, this.inFeatures]);
      let y = tf.matMul(x2, this.weight, false, true);
      if (this.bias) y = tf.add(y, this.bias);
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.outFeatures]);
    });
  }
}
