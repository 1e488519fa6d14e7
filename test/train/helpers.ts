/** A tiny regression problem and MLP shared by the checkpoint and loop tests. */
import * as tf from '@tensorflow/tfjs-core';
import { Linear } from '../../src/nn/linear.js';
import { Module } from '../../src/nn/module.js';
import { Rng } from '../../src/util/random.js';

export class TinyMLP extends Module {
  readonly l1: Linear;
  readonly l2: Linear;
  constructor(rng: Rng, hidden = 8) {
    super();
    this.l1 = this.module('l1', new Linear(3, hidden, rng));
    this.l2 = this.module('l2', new Linear(hidden, 1, rng));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.l2.forward(tf.tanh(this.l1.forward(x))));
  }
}

/** y = x·[1, −2, 0.5] + 0.3 + noise, 48 training and 16 validation rows. */
export function tinyData(): { x: tf.Tensor2D; y: tf.Tensor2D; vx: tf.Tensor2D; vy: tf.Tensor2D; dispose(): void } {
  const rng = new Rng(2024);
  const make = (n: number): [tf.Tensor2D, tf.Tensor2D] => {
    const x = tf.tensor2d(rng.normalArray(n * 3), [n, 3]);
    const noise = tf.tensor2d(rng.normalArray(n, 0, 0.05), [n, 1]);
    const y = tf.tidy(() => tf.add(tf.add(tf.matMul(x, tf.tensor2d([[1], [-2], [0.5]])), 0.3), noise) as tf.Tensor2D);
    noise.dispose();
    return [x, y];
  };
  const [x, y] = make(48);
  const [vx, vy] = make(16);
  return { x, y, vx, vy, dispose: () => tf.dispose([x, y, vx, vy]) };
}

/** Row-index mini-batches of size `size`, shuffled by `rng`. */
export function shuffledBatches(rng: Rng, n: number, size: number): Int32Array[] {
  const perm = rng.permutation(n);
  const out: Int32Array[] = [];
  for (let i = 0; i < n; i += size) out.push(perm.slice(i, i + size));
  return out;
}

/** All parameter values of a module, concatenated (for exact comparisons). */
export function snapshot(m: Module): number[] {
  return m.namedParameters().flatMap(([, v]) => Array.from(v.dataSync()));
}
