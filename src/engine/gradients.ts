/**
 * tfjs-core's gradient functions, and our fix to one of them. tfjs-core registers its gradients
 * only from its ES-module files (`dist/register_all_gradients.js`): a bundler loads them for the
 * browser (src/browser.ts), and in Node, whose tfjs-core entry registers none, the package ships
 * them bundled (`vendor/tfjs-gradients.cjs`, loaded by src/node/engine.ts). Either way they talk
 * to the one global tfjs engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../util/errors.js';

let provider: (() => void) | null = null;
let done = false;

/** Say how to register tfjs-core's gradients in this environment (called by the entry points). */
export function setGradientProvider(load: () => void): void {
  provider = load;
}

/** Make sure gradients are registered (and BatchMatMul's replaced by ours). */
export function registerGradients(): void {
  if (done) return;
  if (!tf.getGradient(tf.BatchMatMul)) {
    if (!provider) {
      throw new UsageError("tfjs-core's gradients are not registered: import Sheaf through its package entry ('sheaf' or 'sheaf/<system>'), which registers them");
    }
    provider();
    if (!tf.getGradient(tf.BatchMatMul)) throw new Error('the tfjs gradient bundle loaded but registered no gradients');
  }
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
