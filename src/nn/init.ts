/**
 * Parameter initialisers with PyTorch's conventions (fan-in/fan-out as `torch.nn.init`
 * computes them: for a weight of shape [out, in, ...k], fan_in = in·Πk, fan_out = out·Πk).
 * All draw from a seeded `Rng`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/random.js';

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [fan_in, fan_out] of a weight shaped like a PyTorch parameter. */
export function fans(shape: number[]): [number, number] {
  if (shape.length < 2) throw new Error(`fan in/out needs at least 2 dims, got [${shape}]`);
  const receptive = size(shape.slice(2));
  return [shape[1]! * receptive, shape[0]! * receptive];
}

export function uniform(rng: Rng, shape: number[], low: number, high: number): tf.Tensor {
  return tf.tensor(rng.uniformArray(size(shape), low, high), shape);
}

export function normal(rng: Rng, shape: number[], mean = 0, std = 1): tf.Tensor {
  return tf.tensor(rng.normalArray(size(shape), mean, std), shape);
}

/** `torch.nn.init.kaiming_uniform_(w, a)` with leaky-ReLU gain; a = √5 gives nn.Linear's default. */
export function kaimingUniform(rng: Rng, shape: number[], a = Math.sqrt(5)): tf.Tensor {
  const [fanIn] = fans(shape);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = gain * Math.sqrt(3 / fanIn);
  return uniform(rng, shape, -bound, bound);
}

/** `torch.nn.init.xavier_uniform_(w, gain)`. */
export function xavierUniform(rng: Rng, shape: number[], gain = 1): tf.Tensor {
  const [fanIn, fanOut] = fans(shape);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(rng, shape, -bound, bound);
}

/** `torch.nn.init.xavier_normal_(w, gain)`. */
export function xavierNormal(rng: Rng, shape: number[], gain = 1): tf.Tensor {
  const [fanIn, fanOut] = fans(shape);
  return normal(rng, shape, 0, gain * Math.sqrt(2 / (fanIn + fanOut)));
}

/** The bias default of nn.Linear / nn.Conv1d: U(−1/√fan_in, 1/√fan_in). */
export function fanInUniform(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(rng, shape, -bound, bound);
}
