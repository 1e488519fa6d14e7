/**
 * tfjs-core's gradient functions, and our fix to one of them. tfjs-core registers its gradients
 * only from its ES-module files (`dist/register_all_gradients.js`): a bundler loads them for the
 * browser (src/browser/setup.ts), and in Node, whose tfjs-core entry registers none, the package ships
 * them bundled (`vendor/tfjs-gradients.cjs`, loaded by src/node/setup.ts). Either way they talk
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
  // Ours over tfjs's: BatchMatMul (broadcast batches), Tile (reshape + sum), UnsortedSegmentSum (gather + mask), the activations (fused when a backend has the kernel).
  for (const g of [batchMatMulGrad, tileGrad, unsortedSegmentSumGrad, ...activationGrads]) tf.registerGradient(g);
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

/**
 * Tile's gradient as one reshape and one sum: dy viewed as [r0, d0, r1, d1, …] summed over the
 * repetition axes. tfjs's own gradient slices dy once per repetition and adds, which cost MTAD-GAT
 * 50 ms per step for its decoder map, and throws above rank 4.
 */
const tileGrad: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const { reps } = attrs as unknown as { reps: number[] };
    return {
      x: () => {
        const split: number[] = [];
        const axes: number[] = [];
        x.shape.forEach((d, i) => {
          if (reps[i]! > 1) {
            axes.push(split.length);
            split.push(reps[i]!);
          }
          split.push(d);
        });
        const g = dy as tf.Tensor;
        if (axes.length === 0) return tf.reshape(g, x.shape);
        return tf.reshape(tf.sum(tf.reshape(g, split), axes), x.shape);
      },
    };
  },
};

/**
 * UnsortedSegmentSum's gradient (message passing, pooling, embedding lookups' backward) as a
 * gather and one broadcast product with the keep-mask of non-negative ids. tfjs's own builds a
 * full-size boolean with LogicalAnd and a Select: 14 ms per call for [3 196 × 64] on WASM,
 * half of an AdapterGNN step.
 */
const unsortedSegmentSumGrad: tf.GradConfig = {
  kernelName: tf.UnsortedSegmentSum,
  inputsToSave: ['segmentIds'],
  gradFunc: (dy, saved) => {
    const [ids] = saved as [tf.Tensor];
    return {
      x: () => {
        const g = tf.gather(dy as tf.Tensor, tf.maximum(ids, tf.scalar(0, 'int32')));
        const keep = tf.cast(tf.greaterEqual(ids, tf.scalar(0, 'int32')), g.dtype);
        return tf.mul(g, tf.reshape(keep, [...ids.shape, ...new Array(g.rank - ids.rank).fill(1)]));
      },
    };
  },
};

/**
 * Name of the optional fused activation-gradient kernel: inputs `a` (the forward output for tanh
 * and sigmoid, the input for leaky relu and relu) and `dy`, attrs `op` (FUSED_GRAD_OPS) and
 * `alpha`. The Node native pack registers it; where no backend has it, the gradients below run
 * tfjs's composite formulas (two or three kernels each).
 */
export const FUSED_ACTIVATION_GRAD = 'SheafActivationGrad';
/** Op codes of FUSED_ACTIVATION_GRAD (native/src/kernels.h UnaryOp). */
export const FUSED_GRAD_OPS = { tanh: 0, sigmoid: 1, leakyRelu: 2, relu: 3 } as const;

function fusedOr(op: number, a: tf.Tensor, dy: tf.Tensor, alpha: number, composite: () => tf.Tensor): tf.Tensor {
  if (a.dtype === 'float32' && tf.getKernel(FUSED_ACTIVATION_GRAD, tf.getBackend())) {
    return tf.engine().runKernel(FUSED_ACTIVATION_GRAD, { a, dy }, { op, alpha } as never) as tf.Tensor;
  }
  return composite();
}

const activationGrads: tf.GradConfig[] = [
  {
    kernelName: tf.Tanh,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      return { x: () => fusedOr(FUSED_GRAD_OPS.tanh, y, d, 0, () => tf.mul(tf.sub(1, tf.square(y)), d)) };
    },
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [y] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      return { x: () => fusedOr(FUSED_GRAD_OPS.sigmoid, y, d, 0, () => tf.mul(d, tf.mul(y, tf.sub(1, y)))) };
    },
  },
  {
    kernelName: tf.LeakyRelu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      const { alpha } = attrs as unknown as { alpha: number };
      return { x: () => fusedOr(FUSED_GRAD_OPS.leakyRelu, x, d, alpha, () => tf.where(tf.greater(x, 0), d, tf.mul(d, alpha))) };
    },
  },
  {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => {
      const [x] = saved as [tf.Tensor];
      const d = dy as tf.Tensor;
      return { x: () => fusedOr(FUSED_GRAD_OPS.relu, x, d, 0, () => tf.mul(d, tf.cast(tf.step(x), 'float32'))) };
    },
  },
];
