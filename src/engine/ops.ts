/**
 * The hot primitives model code uses instead of calling `tf.*` directly for them: each is
 * expressed with kernels that are fast and differentiable on the WASM backend with our kernel
 * pack (docs/research/engine.md §1.5). Keeping them here lets the engine be swapped later.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegmentMaxKernelName } from './kernels/unsorted_segment_max.js';

/** The identity whose gradient is zero (tfjs has no stop_gradient). */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad(((a: tf.Tensor) => ({ value: tf.clone(a), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as T;
}

/** Rows of `x` ([V, ...]) at `indices` (any int32 shape): an embedding lookup. */
export function gatherRows(x: tf.Tensor, indices: tf.Tensor | number[] | Int32Array): tf.Tensor {
  return tf.gather(x, indices instanceof tf.Tensor ? indices : tf.tensor1d(Array.from(indices), 'int32'), 0);
}

/** Per-segment maximum, not differentiable (use for stabilising softmaxes). Empty segments give −Infinity. */
export function segmentMaxNoGrad(x: tf.Tensor, segmentIds: tf.Tensor1D, numSegments: number): tf.Tensor {
  return tf.engine().runKernel(SegmentMaxKernelName, { x, segmentIds }, { numSegments } as never) as tf.Tensor;
}

export type Conv1dPadding = 'valid' | 'same' | number | [number, number];

/**
 * 1-D convolution, channels last: `x` [B, L, C_in], `w` [K, C_in, C_out] → [B, L_out, C_out].
 * Computed as im2col (K shifted slices concatenated, one matmul): fully differentiable on WASM,
 * unlike `tf.conv1d`, whose filter gradient needs Conv2DBackpropFilter (10–14 s on the CPU
 * fallback, docs/research/engine.md §1.3). 'same' pads like PyTorch's `padding='same'` (extra on the right).
 */
export function conv1d(x: tf.Tensor3D, w: tf.Tensor3D, padding: Conv1dPadding = 'valid', dilation = 1): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, L, C] = x.shape;
    const [K, Cw, O] = w.shape;
    if (C !== Cw) throw new Error(`conv1d: input has ${C} channels but the filter expects ${Cw}`);
    let left = 0;
    let right = 0;
    if (padding === 'same') {
      const total = dilation * (K - 1);
      left = Math.floor(total / 2);
      right = total - left;
    } else if (typeof padding === 'number') {
      left = right = padding;
    } else if (Array.isArray(padding)) {
      [left, right] = padding;
    }
    const xp = left || right ? tf.pad(x, [[0, 0], [left, right], [0, 0]]) : x;
    const Lp = L + left + right;
    const Lout = Lp - dilation * (K - 1);
    if (Lout <= 0) throw new Error(`conv1d: sequence of length ${L} is shorter than the receptive field ${dilation * (K - 1) + 1}`);
    const cols: tf.Tensor[] = [];
    for (let k = 0; k < K; k++) cols.push(tf.slice(xp, [0, k * dilation, 0], [B, Lout, C]));
    const patches = K === 1 ? cols[0]! : tf.concat(cols, 2); // [B, Lout, K*C], k-major
    const y = tf.matMul(tf.reshape(patches, [B * Lout, K * C]), tf.reshape(w, [K * C, O]));
    return tf.reshape(y, [B, Lout, O]) as tf.Tensor3D;
  });
}

/**
 * Real DFT matrices for length T: `cos[k, t] = cos(2πkt/T)`, `sin[k, t] = −sin(2πkt/T)`, so that
 * for a real signal x, Re(FFT(x)) = cos·x and Im(FFT(x)) = sin·x. tfjs has no FFT gradient and
 * no FFT on WASM; a matmul by constants differentiates for free. Computed in float64, then cast.
 */
export function dftMatrices(T: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const c = new Float32Array(T * T);
  const s = new Float32Array(T * T);
  for (let k = 0; k < T; k++) {
    for (let t = 0; t < T; t++) {
      // Reduce k·t mod T first so the angle stays exact for large T.
      const ang = (2 * Math.PI * ((k * t) % T)) / T;
      c[k * T + t] = Math.cos(ang);
      s[k * T + t] = -Math.sin(ang);
    }
  }
  return { cos: tf.tensor2d(c, [T, T]), sin: tf.tensor2d(s, [T, T]) };
}
