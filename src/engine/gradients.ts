/**
 * Registers tfjs-core's gradient functions. tfjs-core's Node entry registers none (they ship only
 * as ES-module files); `scripts/bundle-gradients.mjs` bundles them on install into
 * `vendor/tfjs-gradients.cjs`, which talks to the same global engine as our tfjs-core.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

let done = false;

export function registerGradients(): void {
  if (done || tf.getGradient(tf.BatchMatMul)) {
    done = true;
    return;
  }
  // src/engine/ and dist/engine/ are both two levels below the package root.
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const bundle = join(root, 'vendor', 'tfjs-gradients.cjs');
  if (!existsSync(bundle)) {
    throw new Error(`tfjs gradients are not bundled (${bundle} is missing): run 'npm run prepare' (npm ci does it)`);
  }
  createRequire(import.meta.url)(bundle);
  if (!tf.getGradient(tf.BatchMatMul)) throw new Error('tfjs gradient bundle loaded but registered no gradients');
  tf.registerGradient(batchMatMulGrad);
  done = true;
}

/** Sum `g` over the axes that were broadcast to turn `shape` into `g.shape`. */
function reduceTo(g: tf.Tensor, shape: number[]): tf.Tensor {
  if (g.shape.join() === shape.join()) return g;
  const axes = tf.backend_util.getReductionAxes(shape, g.shape);
  const summed = axes.length > 0 ? tf.sum(g, axes) : g;
  return tf.reshape(summed, shape);
}

/**
 * BatchMatMul's gradient with broadcast batch dimensions summed out. tfjs 4.22's own gradient
 * returns the broadcast shape (so `[B, M, K] @ [K, N]` fails in backprop); this is the same
 * formula plus the reduction.
 */
const batchMatMulGrad: tf.GradConfig = {
  kernelName: tf.BatchMatMul,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const d = dy as tf.Tensor;
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(d, b, false, true);
      db = () => tf.matMul(a, d, true, false);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(d, b, false, false);
      db = () => tf.matMul(d, a, true, false);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, d, false, true);
      db = () => tf.matMul(a, d, false, false);
    } else {
      da = () => tf.matMul(b, d, true, true);
      db = () => tf.matMul(d, a, true, true);
    }
    return { a: () => reduceTo(da(), a.shape), b: () => reduceTo(db(), b.shape) };
  },
};
