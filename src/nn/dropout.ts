import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import type { Rng } from '../util/random.js';

/**
 * Inverted dropout as `torch.nn.Dropout`: in training, zero each element with probability `p`
 * and scale the rest by 1/(1−p); identity in eval mode. The mask is drawn by the backend with a
 * seed taken from `rng`, so runs are repeatable.
 */
export class Dropout extends Module {
  constructor(
    readonly p: number,
    private readonly rng: Rng,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`dropout probability must be in [0, 1), got ${p}`);
  }

  protected override ownRngs(): Array<[string, Rng]> {
    return [['rng', this.rng]];
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (!this.training || this.p === 0) return x;
    const seed = this.rng.tfSeed();
    return tf.tidy(() => {
      const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), this.p), 'float32');
      return tf.mul(x, tf.mul(keep, 1 / (1 - this.p)));
    });
  }
}
