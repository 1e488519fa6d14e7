/**
 * Gated linear units: the functional `glu` of PyTorch and StemGNN's GLU module.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { Linear } from './linear.js';
import type { Rng } from '../util/random.js';

/**
 * `torch.nn.functional.glu(x, dim)`: split `x` in two halves a, b along `dim` (default the
 * last) and return a ⊙ σ(b). The size along `dim` must be even; the result has half of it.
 */
export function glu(x: tf.Tensor, dim = -1): tf.Tensor {
  const axis = dim < 0 ? x.rank + dim : dim;
  if (axis < 0 || axis >= x.rank) throw new Error(`glu: dim ${dim} out of range for rank ${x.rank}`);
  const n = x.shape[axis]!;
  if (n % 2 !== 0) throw new Error(`glu: halving dimension ${axis} must be even, got size ${n}`);
  return tf.tidy(() => {
    const [a, b] = tf.split(x, 2, axis) as [tf.Tensor, tf.Tensor];
    return tf.mul(a, tf.sigmoid(b));
  });
}

/**
 * StemGNN's `GLU(input_channel, output_channel)` (`models/base_model.py`, docs/research/timeseries.md §1.1):
 * two independent Linears, y = linear_left(x) ⊙ σ(linear_right(x)). Parameters
 * `linear_left.{weight,bias}`, `linear_right.{weight,bias}` with nn.Linear's default init.
 * x [..., in] → [..., out].
 */
export class GLU extends Module {
  readonly linearLeft: Linear;
  readonly linearRight: Linear;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    rng: Rng,
  ) {
    super();
    this.linearLeft = this.module('linear_left', new Linear(inFeatures, outFeatures, rng));
    this.linearRight = this.module('linear_right', new Linear(inFeatures, outFeatures, rng));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.linearLeft.forward(x), tf.sigmoid(this.linearRight.forward(x))));
  }
}
