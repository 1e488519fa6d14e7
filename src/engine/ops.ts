/**
 * The hot primitives model code uses instead of calling `tf.*` directly for them: each is
 * expressed with kernels that are fast and differentiable on the WASM backend with our kernel
 * pack (docs/research/engine.md §1.5). Keeping them here lets the engine be swapped later.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SegmentMaxKernelName } from './kernels/unsorted_segment_max.js';

/**
 * The identity whose gradient is zero (tfjs has no stop_gradient). The result shares `x`'s
 * buffer but is a fresh tensor that no tape node produced, so backprop stops here *and* skips the
 * ops that computed `x` (a customGrad returning zeros still ran their gradients, e.g. the
 * Max → Equal chain of a softmax max shift, as in CG-KGR's attention).
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const engine = tf.engine();
  engine.backend.incRef(x.dataId);
  return engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype) as T;
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
    const xp =
      left || right
        ? tf.pad(x, [
            [0, 0],
            [left, right],
            [0, 0],
          ])
        : x;
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

/** Kernel names of the fused GRU layer (registered by the Node native pack; see `fusedGruSequence`). */
export const GRU_FORWARD = 'SheafGRUForward';
export const GRU_BACKWARD = 'SheafGRUBackward';

/**
 * A whole GRU layer (PyTorch gates r, z, n, reset after the hidden product) as one differentiable
 * op: `xProj` [B, T, 3H] is the input projection including b_ih, `whh` [3H, H], `bhh` [3H], `h0`
 * [B, H]; returns every hidden state [B, T, H]. Forward and backward are one kernel each, instead
 * of ~15 forward and ~30 backward kernels per time step. Returns null when the current backend
 * has no such kernels (then use the per-step composite, which computes the same function).
 */
export function fusedGruSequence(xProj: tf.Tensor3D, whh: tf.Tensor2D, bhh: tf.Tensor1D, h0: tf.Tensor2D): tf.Tensor3D | null {
  const backend = tf.getBackend();
  if (!tf.getKernel(GRU_FORWARD, backend) || !tf.getKernel(GRU_BACKWARD, backend)) return null;
  if ([xProj, whh, bhh, h0].some((t) => t.dtype !== 'float32')) return null;
  const f = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, h: tf.Tensor, save: tf.GradSaveFunc) => {
    const [hs, gates] = tf.engine().runKernel(GRU_FORWARD, { x, whh: w, bhh: b, h0: h }, {}) as unknown as [tf.Tensor, tf.Tensor];
    save([hs, gates, h, w]);
    return {
      value: hs,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [s, g, s0, sw] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(GRU_BACKWARD, { dy, gates: g, hs: s, h0: s0, whh: sw }, {}) as unknown as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(xProj, whh, bhh, h0) as tf.Tensor3D;
}

/** Kernel name of the fused optimizer update (registered by the Node native pack). */
export const OPTIMIZER_STEP = 'SheafOptimizerStep';

/**
 * One Adam or RMSprop parameter update as a single kernel: the same float32 arithmetic as the
 * composite update in src/train/optimizers.ts (about ten elementwise kernels per parameter).
 * `slots`: Adam [exp_avg, exp_avg_sq], RMSprop [square_avg], or nulls on the first step.
 * `hyper`: Adam [β1, 1−β1, β2, 1−β2, eps, √(1−β2^t), −lr/(1−β1^t)]; RMSprop [α, 1−α, eps, −lr].
 * Returns [new parameter, ...new slots], or null when the backend has no such kernel.
 */
export function fusedOptimizerStep(kind: 'adam' | 'rmsprop', param: tf.Tensor, grad: tf.Tensor, slots: Array<tf.Tensor | null>, hyper: number[]): tf.Tensor[] | null {
  if (!tf.getKernel(OPTIMIZER_STEP, tf.getBackend())) return null;
  if (param.dtype !== 'float32' || grad.dtype !== 'float32') return null;
  const have = slots.filter((s) => s !== null).length;
  if (have !== 0 && have !== slots.length) return null;
  const inputs: Record<string, tf.Tensor> = { p: param, g: grad };
  if (have) slots.forEach((s, i) => (inputs[`s${i + 1}`] = s!));
  return tf.engine().runKernel(OPTIMIZER_STEP, inputs, { kind: kind === 'adam' ? 0 : 1, hyper } as never) as unknown as tf.Tensor[];
}
