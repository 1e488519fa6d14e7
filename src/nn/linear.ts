import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { fanInUniform, kaimingUniform } from './init.js';
import type { Rng } from '../util/random.js';

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
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
    this.weight = this.param('weight', kaimingUniform(rng, [outFeatures, inFeatures]) as tf.Tensor2D);
    this.bias = opts.bias === false ? null : this.param('bias', fanInUniform(rng, [outFeatures], inFeatures) as tf.Tensor1D);
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
